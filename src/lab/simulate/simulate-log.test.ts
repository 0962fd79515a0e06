import { describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../../cache/semantic/offline-embedder.js';
import { validateConfig } from '../../config/load-config.js';
import { type LoggedRequest, parseLoggedRequest } from './logged-request.js';
import { simulateLog } from './simulate-log.js';

const config = validateConfig(
  {
    providers: { sim: { kind: 'simulated' } },
    models: [
      { name: 'big', provider: 'sim', price: { input: 2.5, output: 10 } },
      { name: 'small', provider: 'sim', price: { input: 0.25, output: 1 } },
    ],
    routes: { auto: { strategy: 'map', tasks: { translate: 'small', code: 'big' }, default: 'big' } },
  },
  { env: {} },
);

async function* log(...lines: object[]): AsyncGenerator<LoggedRequest> {
  for (const [index, line] of lines.entries()) yield parseLoggedRequest(JSON.stringify(line), index + 1);
}

const HOUR = 3_600_000;
const hi = [{ role: 'user', content: 'Hi' }];

describe('simulateLog', () => {
  it('counts tokens it is not told, prices a route by its choice, skips unknown models, and says so', async () => {
    const simulation = await simulateLog(
      log(
        { ts: 0, headers: { 'x-frugal-task': 'code' }, request: { model: 'big', messages: hi } },
        { ts: HOUR, headers: { 'x-frugal-task': 'translate' }, request: { model: 'auto', messages: hi }, usage: { prompt_tokens: 100, completion_tokens: 10 } },
        { ts: 2 * HOUR, request: { model: 'mystery', messages: hi } },
      ),
      { config, source: 'log test', assumeOutputTokens: 10 },
    );
    // 1: "Hi" counts 3 (reply priming) + 3 (message) + 1 = 7 prompt tokens on big, 10 assumed out:
    //    7 × 2 500 000 + 10 × 10 000 000 = 117 500 000 pico = 117 500 nano; routed by its hint (code) to big too.
    // 2: names the route: its current cost is the route's choice, small: 100 × 250 000 + 10 × 1 000 000 = 35 000 nano.
    expect(simulation.strategies.slice(0, 2).map((strategy) => [strategy.id, strategy.totalNanos, strategy.detail])).toEqual([
      ['current', 152_500n, 'big ×1, small ×1'],
      ['routing', 152_500n, 'big ×1, small ×1'],
    ]);
    expect(simulation.requests).toBe(2);
    expect(simulation.scaling).toEqual({ kind: 'span', spanMs: 2 * HOUR });
    expect(simulation.assumptions).toEqual(
      expect.arrayContaining([
        'prompt tokens: 1 from usage, 1 counted with the o200k tokenizer (estimated)',
        'completion tokens: 1 from usage, 1 unknown and assumed 10 each (--assume-output-tokens)',
        '1 logged requests name a route: their current cost is that route\'s choice in the candidate config',
        'skipped, and left out of every figure: mystery ×1 (not a chat model or route of the candidate config)',
      ]),
    );
  });

  it('prices semantic hits at zero after exact misses', async () => {
    const ask = (content: string, ts: number) => ({ ts, request: { model: 'small', temperature: 0, messages: [{ role: 'user', content }] }, usage: { prompt_tokens: 1000, completion_tokens: 0 } });
    const simulation = await simulateLog(log(ask('What is the capital of France?', 0), ask('what is the capital of france', HOUR), ask('What is the capital of France?', 2 * HOUR)), {
      config,
      source: 'log test',
      semantic: { embedder: createOfflineEmbedder() },
    });
    // Each request: 1 000 × 250 000 pico = 250 000 nano. Exact: the third repeats the first. Semantic: the second too.
    expect(simulation.strategies.filter((strategy) => strategy.id.endsWith('cache')).map((strategy) => [strategy.id, strategy.totalNanos, strategy.detail])).toEqual([
      ['exact_cache', 500_000n, '1 of 3 requests hit, 0 not cacheable'],
      ['semantic_cache', 250_000n, '1 exact + 1 semantic hits'],
    ]);
  });

  it('refuses what it cannot scale or price', async () => {
    const line = (extra: object) => ({ request: { model: 'big', messages: hi }, usage: { prompt_tokens: 1, completion_tokens: 1 }, ...extra });
    await expect(simulateLog(log(line({ ts: 0 }), line({})), { config, source: 'x' })).rejects.toThrow(/log line 2: ts must be on every line or on none/);
    await expect(simulateLog(log(line({ ts: 5 }), line({ ts: 5 })), { config, source: 'x' })).rejects.toMatchObject({ param: 'requests-per-day' });
    // Two minutes of traffic project nothing: refused, naming the way out.
    await expect(simulateLog(log(line({ ts: 0 }), line({ ts: 120_000 })), { config, source: 'x' })).rejects.toMatchObject({ param: 'requests-per-day', message: expect.stringContaining('covers only 2 min') });
    await expect(simulateLog(log({ ts: 0, request: { model: 'big', messages: hi } }, { ts: 7_200_000, request: { model: 'big', messages: hi } }), { config, source: 'x' })).rejects.toMatchObject({
      param: 'assume-output-tokens',
    });
    await expect(simulateLog(log(line({ ts: 0, request: { model: 'nope', messages: hi } })), { config, source: 'log x' })).rejects.toThrow(/no request of log x could be priced \(unknown models: nope ×1\)/);
  });
});
