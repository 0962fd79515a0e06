import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { registerSimulateCommand } from './simulate-command.js';

// Two models with round prices, in pico-dollars per token: big 2 500 000 in / 10 000 000 out / 1 250 000 cached;
// small 250 000 in / 1 000 000 out. The candidate routes translation to small and code to big.
const CONFIG = `
providers:
  sim: { kind: simulated }
models:
  - { name: big, provider: sim, price: { input: 2.5, output: 10, cached_input: 1.25 }, context: 128000 }
  - { name: small, provider: sim, price: { input: 0.25, output: 1 }, context: 128000 }
routes:
  auto: { strategy: map, tasks: { translate: small, code: big }, default: big }
cache:
  ttl_seconds: 86400
`;

const line = (ts: string, task: string, content: string, usage: Record<string, unknown> | undefined, params: Record<string, unknown> = { temperature: 0 }) =>
  JSON.stringify({ ts, headers: { 'x-frugal-task': task }, request: { model: 'big', ...params, messages: [{ role: 'user', content }] }, usage });

// Five requests over exactly one day, all logged against big.
const LOG = [
  line('2025-03-01T00:00:00Z', 'translate', 'Translate "good morning" into French.', { prompt_tokens: 2000, completion_tokens: 100 }),
  line('2025-03-01T06:00:00Z', 'translate', 'Translate "good morning" into French.', { prompt_tokens: 2000, completion_tokens: 100 }),
  line('2025-03-01T12:00:00Z', 'code', 'Write a merge sort in Python.', { prompt_tokens: 1000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 400 } }, {}),
  line('2025-03-01T18:00:00Z', 'translate', 'Translate "thank you" into Spanish.', { prompt_tokens: 3000 }),
  '',
  line('2025-03-02T00:00:00Z', 'translate', 'Translate "thank you" into Spanish.', { prompt_tokens: 3000, completion_tokens: 200 }),
].join('\n');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-simulate-'));
  await writeFile(join(dir, 'candidate.yaml'), CONFIG);
  await writeFile(join(dir, 'known.jsonl'), `${LOG}\n`);
  // The seed example: the same 3 200-token prompt twice on small, no timestamps, no output.
  const seed = JSON.stringify({ request: { model: 'small', temperature: 0, messages: [{ role: 'user', content: 'Summarise the attached policy.' }] }, usage: { prompt_tokens: 3200, completion_tokens: 0 } });
  await writeFile(join(dir, 'seed.jsonl'), `${seed}\n${seed}\n`);
  const store = createSqliteLedgerStore({ path: join(dir, 'ledger', 'ledger.sqlite') });
  await store.migrate();
  await store.insert(ledgerWorkload());
  await store.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  // The developer's own settings must not leak into the run.
  vi.stubEnv('FRUGAL_CONFIG', undefined);
  vi.stubEnv('FRUGAL_DATA_DIR', join(dir, 'data'));
  vi.stubEnv('DATABASE_URL', '');
  return () => vi.unstubAllEnvs();
});

async function simulate(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerSimulateCommand(program);
  await program.parseAsync(['simulate', ...args], { from: 'user' });
  return printed;
}

/** The rows of a table in the report, cells split on runs of 2+ spaces. */
function rows(report: string, title: string): string[][] {
  const lines = report.split('\n');
  const start = lines.findIndex((text) => text.startsWith(title));
  const end = lines.findIndex((text, index) => index > start && text === '');
  return lines.slice(start + 2, end).map((text) => text.trim().split(/\s{2,}/));
}

describe('frugal simulate --log', () => {
  it('matches the hand-computed figures of a known log', async () => {
    const report = await simulate('--log', join(dir, 'known.jsonl'), '--config', join(dir, 'candidate.yaml'), '--no-semantic');
    expect(report.split('\n')[0]).toBe('simulated 5 requests of log known.jsonl (2025-03-01T00:00:00.000Z to 2025-03-02T00:00:00.000Z)');
    // Completion tokens known for 4 requests: (100 + 100 + 500 + 200) / 4 = 225, assumed for line 4.
    // Current, all on big (nano = pico / 1000):
    //   1, 2: 2 000 × 2 500 000 + 100 × 10 000 000                        = 6 000 000 nano each
    //   3:    600 × 2 500 000 + 400 cached × 1 250 000 + 500 × 10 000 000 = 7 000 000
    //   4:    3 000 × 2 500 000 + 225 × 10 000 000                        = 9 750 000
    //   5:    3 000 × 2 500 000 + 200 × 10 000 000                        = 9 500 000
    //   total 38 250 000 = $0.03825 over one day; per request / 5 = $0.00765; per month × 30 = $1.1475.
    // Routing: translation to small, code stays on big (keeping its cached tokens):
    //   1, 2: 2 000 × 250 000 + 100 × 1 000 000 = 600 000 each; 3: 7 000 000; 4: 3 000 × 250 000 + 225 × 1 000 000 = 975 000;
    //   5: 750 000 000 + 200 000 000 pico = 950 000 → total 10 125 000 = $0.010125; / 5 = $0.002025; × 30 = $0.30375.
    // Exact cache: 2 repeats 1 (6 h later), 5 repeats 4 (6 h later, TTL 24 h); 3 has no temperature (not cacheable):
    //   6 000 000 + 7 000 000 + 9 750 000 = 22 750 000 = $0.02275; / 5 = $0.00455; × 30 = $0.6825.
    // Combined: hits free, the rest routed: 600 000 + 7 000 000 + 975 000 = 8 575 000 = $0.008575; / 5 = $0.001715; × 30 = $0.25725.
    expect(rows(report, 'cost')).toEqual([
      // As finance reads it: hundredths of a cent per request, cents per day and month, half away from zero.
      ['current', '$0.0077', '$0.04', '$1.15'],
      ['routing (auto)', '$0.0020', '$0.01', '$0.30'],
      ['exact cache', '$0.0046', '$0.02', '$0.68'],
      ['all combined', '$0.0017', '$0.01', '$0.26'],
    ]);
    // Saved: routing 28 125 000 (73.5 %: 28.125 / 38.25 = 0.73529…), cache 15 500 000 (40.5 %: 0.40522…),
    // combined 29 675 000 (77.6 %: 0.77581…); per request / 5, per month × 30.
    expect(rows(report, 'saved vs current')).toEqual([
      ['routing (auto)', '$0.0056', '$0.03', '$0.84', '73.5%'],
      ['exact cache', '$0.0031', '$0.02', '$0.47', '40.5%'],
      ['all combined', '$0.0059', '$0.03', '$0.89', '77.6%'],
    ]);
    expect(report).toContain('  current: big ×5\n  routing (auto): small ×4, big ×1\n  exact cache: 2 of 5 requests hit, 1 not cacheable\n');
    expect(report).toContain('  - scale: the log covers 1 d (first to last timestamp); per day = total × 1 day / that span; month = 30 days\n');
    expect(report).toContain('  - prices, USD per 1M tokens input/output/cached input, from the candidate config: big 2.5/10/1.25; small 0.25/1/0.25\n');
    expect(report).toContain('  - completion tokens: 4 from usage, 1 unknown and assumed 225 each (the mean of the 4 known)\n');
    expect(report).toContain('  - semantic cache: not simulated\n');
  });

  it('gets the seed example right: 1 600 input tokens saved a request at $0.25/1M = $0.0004, $4 a day at 10 000 a day', async () => {
    const json = JSON.parse(await simulate('--log', join(dir, 'seed.jsonl'), '--config', join(dir, 'candidate.yaml'), '--requests-per-day', '10000', '--json'));
    // Current: 2 × 3 200 × 250 000 pico = 1 600 000 nano; the exact cache serves the second for free: 800 000.
    // Saved 800 000 nano over 2 requests = 400 000 nano = $0.0004 a request (3 200 tokens saved every other request,
    // 1 600 a request × $0.25/1M), × 10 000 a day = $4, × 30 = $120.
    const [current, , exact, semantic] = json.strategies;
    expect(current).toMatchObject({ id: 'current', totalNanos: '1600000', perRequestUsd: '0.0008', perDayUsd: '8', perMonthUsd: '240' });
    expect(exact).toMatchObject({ id: 'exact_cache', totalNanos: '800000', perRequestUsd: '0.0004', perDayUsd: '4', perMonthUsd: '120' });
    expect(exact).toMatchObject({ savedPerRequestUsd: '0.0004', savedPerDayUsd: '4', savedPerMonthUsd: '120', savedPercent: '50.0' });
    expect(semantic).toMatchObject({ id: 'semantic_cache', savedPerDayUsd: '4' });
    expect(json.scaling).toEqual({ kind: 'rate', requestsPerDay: 10_000 });
    expect(json.assumptions).toContain('the log has no timestamps: requests are taken as evenly spaced at 10000 a day (for cache TTLs)');
  });

  it('refuses a log without timestamps unless a rate is given, and needs one of --log and --ledger', async () => {
    await expect(simulate('--log', join(dir, 'seed.jsonl'), '--config', join(dir, 'candidate.yaml'))).rejects.toMatchObject({ code: 'invalid_request', param: 'requests-per-day' });
    await expect(simulate('--config', join(dir, 'candidate.yaml'))).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(simulate('--log', join(dir, 'known.jsonl'), '--config', join(dir, 'candidate.yaml'), '--route', 'nope')).rejects.toMatchObject({ param: 'route' });
  });
});

describe('frugal simulate --ledger', () => {
  it('starts from the spend as recorded and adds back what cache hits saved', async () => {
    const json = JSON.parse(await simulate('--ledger', '--data-dir', join(dir, 'ledger'), '--config', join(dir, 'candidate.yaml'), '--swap', 'gpt-4o=big', '--json'));
    // The workload's hand-computed totals (ledger-store.case.ts): spent 1 275 003 874 nano; its hits (i ≡ 0 mod 4)
    // saved 2 000 000 · Σ i = 2 000 000 × 312 = 624 000 000, so without the cache 1 899 003 874.
    expect(json.strategies.map((strategy: { id: string; totalNanos: string }) => [strategy.id, strategy.totalNanos])).toContainEqual(['current', '1275003874']);
    expect(json.strategies.find((strategy: { id: string }) => strategy.id === 'cache_off').totalNanos).toBe('1899003874');
    expect(json.strategies.map((strategy: { id: string }) => strategy.id)).toEqual(['current', 'repriced', 'swapped', 'compression_off', 'cache_off']);
    // Compression saved 500 000 · i on i = 2, 6, …, 46 (Σ i = 288): 144 000 000 more without it.
    expect(json.strategies.find((strategy: { id: string }) => strategy.id === 'compression_off').totalNanos).toBe('1419003874');
    // gpt-4o served the 13 rows i = 1, 5, …, 49 (Σ i = 325, all misses), recorded at 1 000 003 × Σ(i + 1) + Σ(i mod 3)
    // = 1 000 003 × 338 + 13 = 338 001 027. On big they cost Σ prompt (100 + 37i) = 13 325 × 2 500 000 pico plus
    // Σ completion (10 + 13i) = 4 355 × 10 000 000 pico = 76 862 500 nano: 1 275 003 874 − 338 001 027 + 76 862 500.
    expect(json.strategies.find((strategy: { id: string }) => strategy.id === 'swapped')).toMatchObject({ totalNanos: '1013865347', detail: 'gpt-4o→big ×13' });
    // 50 rows, one every 7 hours: 49 × 7 h between the first and the last.
    expect(json.scaling).toEqual({ kind: 'span', spanMs: 49 * 7 * 3_600_000 });
    expect(json.requests).toBe(50);
  });

  it('refuses a swap to a model the candidate does not have', async () => {
    await expect(simulate('--ledger', '--data-dir', join(dir, 'ledger'), '--config', join(dir, 'candidate.yaml'), '--swap', 'gpt-4o=nope')).rejects.toMatchObject({ param: 'swap' });
  });

  it('refuses where there is no ledger, saying where it looked, and creates none', async () => {
    // $FRUGAL_DATA_DIR points at <dir>/data, which does not exist.
    await expect(simulate('--ledger', '--config', join(dir, 'candidate.yaml'))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining(`no ledger at ${join(dir, 'data', 'ledger.sqlite')} (from $FRUGAL_DATA_DIR; ${join(dir, 'candidate.yaml')} sets no ledger.data_dir)`),
    });
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});
