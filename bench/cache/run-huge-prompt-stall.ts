/**
 * How long one huge cacheable prompt stalls everybody else. A ~9 MB prompt at temperature 0 (cacheable) goes
 * through an in-process Frugal (the mock upstream runs in its own process) while GET /healthz is polled every
 * 10 ms: the slowest /healthz answer and the event loop's longest delay are what another tenant waits.
 *
 *   node --import tsx bench/cache/run-huge-prompt-stall.ts [megabytes=9]
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { request } from 'undici';
import { createGateway } from '../../src/pipeline/create-gateway.js';
import { createServer } from '../../src/server/create-server.js';
import { startMockUpstream, stopAll } from '../overhead/start-processes.js';

const megabytes = Number(process.argv[2] ?? 9);
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'the', 'quick', 'brown', 'fox', 'jumps', 'over'];

/** Prose-like text (words, spaces, a line break now and then), different per `seed` so every prompt misses. */
function hugePrompt(seed: number): string {
  const pieces: string[] = [`prompt ${seed}:`];
  let length = 0;
  for (let i = 0; length < megabytes * 1024 * 1024; i += 1) {
    const word = WORDS[(i * 7 + seed) % WORDS.length] + (i % 17 === 0 ? '\n' : ' ');
    pieces.push(word);
    length += word.length;
  }
  return pieces.join('');
}

async function main() {
  const mock = await startMockUpstream();
  const gateway = await createGateway({
    config: {
      providers: { mock: { kind: 'openai', base_url: new URL('/v1', mock.url).href, api_key: 'x' } },
      models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
      server: { body_limit_mb: megabytes * 4 + 4 },
      cache: { max_mb: 1024 },
      // A budget makes the gateway count the prompt's tokens for its hold, as a production gateway does.
      budgets: [{ scope: 'global', limit_usd: 1000, period: 'day' }],
    },
    env: {},
  });
  const app = createServer({ gateway, logger: pino({ level: 'silent' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const send = async (content: string) => {
    const response = await request(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content }] }),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    await response.body.dump();
    return { status: response.statusCode, cache: String(response.headers['x-frugal-cache']) };
  };
  // Warm-up: loads the tokenizer and JITs the path, so the rows measure the steady state.
  await send('warm up');
  await send(hugePrompt(99).slice(0, 1_000_000));

  const rows = ['| case | requests | wall ms | slowest /healthz ms | max loop delay ms | cache |', '| --- | ---: | ---: | ---: | ---: | --- |'];
  const run = async (label: string, prompts: string[]) => {
    let slowest = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        const response = await request(`${base}/healthz`);
        await response.body.dump();
        slowest = Math.max(slowest, performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const results = await Promise.all(prompts.map(send));
    const wall = performance.now() - started;
    delay.disable();
    polling = false;
    await poller;
    rows.push(`| ${label} | ${prompts.length} | ${wall.toFixed(0)} | ${slowest.toFixed(0)} | ${(delay.max / 1e6).toFixed(0)} | ${results.map((r) => `${r.status} ${r.cache}`).join(', ')} |`);
  };
  const one = hugePrompt(1);
  await run(`one ${megabytes} MB prompt (miss)`, [one]);
  await run(`same prompt again`, [one]);
  await run(`four ${megabytes} MB prompts in parallel`, [hugePrompt(2), hugePrompt(3), hugePrompt(4), hugePrompt(5)]);
  // Text the tokenizer finds hard: random base64 "words" (no merges cached), 1 MB.
  await run('one 1 MB base64 prompt (miss)', [randomBytes(768 * 1024).toString('base64').replace(/(.{76})/g, '$1\n')]);
  console.log(`## One huge cacheable prompt vs everyone else (${megabytes} MB, Node ${process.version})\n`);
  console.log(rows.join('\n'));
  await app.close();
  await gateway.close();
}

try {
  await main();
} finally {
  await stopAll();
}
