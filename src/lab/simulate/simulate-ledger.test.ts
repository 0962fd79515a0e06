import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load-config.js';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { formatSimulationText, projectStrategies } from './format-simulation.js';
import { simulateLedger } from './simulate-ledger.js';

const config = validateConfig(
  {
    providers: { sim: { kind: 'simulated' } },
    models: [
      { name: 'big', provider: 'sim', price: { input: 2.5, output: 10, cached_input: 1.25 } },
      { name: 'small', provider: 'sim', price: { input: 0.25, output: 1 } },
    ],
  },
  { env: {} },
);

const HOUR = 3_600_000;
function ledgerRow(fields: Partial<LedgerRow>): LedgerRow {
  return {
    id: 'r', ts: 0, keyId: null, user: null, tags: {}, requestedModel: 'big', servedModel: 'big', provider: 'sim', stream: false,
    promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheCreationTokens: 0, tokensEstimated: false, costNanos: 0, savedNanos: 0,
    baselineNanos: 0, savedRoutingNanos: 0, savedCacheNanos: 0, savedCompressionNanos: 0, savedPromptCacheNanos: 0, savedBatchNanos: 0, savedBatchingNanos: 0, callerChoiceNanos: 0, latencyMs: 1, ttftMs: null,
    status: 'ok', httpStatus: 200, errorCode: null, cacheStatus: 'miss', routeTrace: null, task: null, warnings: [], tokenReduction: null, serviceTier: null, batchId: null, overhead: null, experiment: null, arm: null,
    ...fields,
  };
}

// 1: big, 600 + 400 cached prompt, 100 out: 600 × 2 500 000 + 400 × 1 250 000 + 100 × 10 000 000 = 3 000 000 nano.
// 2: the same answered from the cache: cost 0, saved 3 000 000.
// 3: small at an older price, recorded 1 200 000; at the candidate's 0.25/1: 2 000 × 250 000 + 500 × 1 000 000 = 1 000 000.
// 4: a model the candidate no longer has: kept at its recorded 2 000 000.
const LEDGER_ROWS = [
  ledgerRow({ id: 'r1', ts: 0, promptTokens: 1000, cachedTokens: 400, completionTokens: 100, costNanos: 3_000_000 }),
  ledgerRow({ id: 'r2', ts: 12 * HOUR, promptTokens: 1000, cachedTokens: 400, completionTokens: 100, costNanos: 0, cacheStatus: 'hit', savedCacheNanos: 3_000_000 }),
  ledgerRow({ id: 'r3', ts: 18 * HOUR, servedModel: 'small', promptTokens: 2000, completionTokens: 500, costNanos: 1_200_000 }),
  ledgerRow({ id: 'r4', ts: 24 * HOUR, servedModel: 'retired-model', promptTokens: 10, completionTokens: 10, costNanos: 2_000_000 }),
];
// The same day with compression: row 3's prompt was reduced, which saved 400 000 nano.
const COMPRESSED_ROWS = [
  ...LEDGER_ROWS.slice(0, 2),
  { ...LEDGER_ROWS[2], savedCompressionNanos: 400_000, tokenReduction: { before: 3600, after: 2000 } },
  LEDGER_ROWS[3],
];

describe('simulateLedger', () => {
  it('reprices, swaps and values the cache of recorded rows, by hand', () => {
    const simulation = simulateLedger(LEDGER_ROWS, { config, swaps: new Map([['big', 'small']]), now: 0 });
    // current 3 000 000 + 0 + 1 200 000 + 2 000 000 = 6 200 000; candidate prices 3 000 000 + 0 + 1 000 000 + 2 000 000 = 6 000 000;
    // swap big → small (cached reads billed as input): 1 000 × 250 000 + 100 × 1 000 000 = 350 000, so 3 350 000;
    // without the cache, row 2 pays again what it saved: 9 200 000.
    expect(simulation.strategies.map((strategy) => [strategy.id, strategy.totalNanos])).toEqual([
      ['current', 6_200_000n],
      ['repriced', 6_000_000n],
      ['swapped', 3_350_000n],
      ['cache_off', 9_200_000n],
    ]);
    expect(simulation.scaling).toEqual({ kind: 'span', spanMs: 24 * HOUR });
    // Over one day, per request / 4, per month × 30.
    expect(projectStrategies(simulation).map((strategy) => [strategy.perRequestNanos, strategy.perDayNanos, strategy.perMonthNanos, strategy.savedPercent])).toEqual([
      [1_550_000n, 6_200_000n, 186_000_000n, '0.0'],
      [1_500_000n, 6_000_000n, 180_000_000n, '3.2'],
      [837_500n, 3_350_000n, 100_500_000n, '46.0'],
      [2_300_000n, 9_200_000n, 276_000_000n, '-48.4'],
    ]);
    const text = formatSimulationText(simulation);
    // The cache in use saved 3 000 000 of the 9 200 000 the sample would cost without it: a saving, never a negative row.
    expect(text).toMatch(/\nresponse cache +\$0\.0008 +<\$0\.01 +\$0\.09 +32\.6%\n/);
    expect(text).not.toMatch(/-\$/);
    // Money as finance reads it: no figure with more than four decimals.
    expect(text).not.toMatch(/\$\d+\.\d{5,}/);
    expect(text).toContain('warning: the sample covers 1 d, less than a week');
    // Every row read is counted once: 2 served, 1 by a model the candidate lacks, 1 cache hit.
    expect(text).toContain('  current (as recorded): 4 rows: served by big ×1, small ×1; served by models the candidate config lacks (kept as recorded): retired-model ×1; cache hits ×1\n');
    expect(text).toContain('  candidate prices: same models and tokens at the candidate config\'s prices; kept as recorded: retired-model ×1\n');
    expect(text).toContain('  model swap: big→small ×1\n');
    expect(text).toContain('observed hit rate 25.0%');
  });

  it('scales by the --since range when one is given, and refuses an unknown swap target', () => {
    const simulation = simulateLedger(LEDGER_ROWS, { config, since: 0, now: 48 * HOUR });
    expect(simulation.scaling).toEqual({ kind: 'span', spanMs: 48 * HOUR });
    expect(simulation.strategies.map((strategy) => strategy.id)).toEqual(['current', 'repriced', 'cache_off']);
    expect(() => simulateLedger(LEDGER_ROWS, { config, swaps: new Map([['big', 'nope']]), now: 0 })).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'swap' }));
    expect(() => simulateLedger([], { config, now: 0 })).toThrow(/no rows/);
  });

  it('adds back what compression saved, when rows were compressed', () => {
    const compression = simulateLedger(COMPRESSED_ROWS, { config, now: 0 }).strategies.find((strategy) => strategy.id === 'compression_off');
    // 6 200 000 recorded + 400 000 saved by compression.
    expect(compression).toMatchObject({ label: 'without compression', totalNanos: 6_600_000n, detail: '1 of 4 rows had their prompt reduced, paid again at what that saved' });
  });
});

describe('simulateLedger refuses what it cannot project', () => {
  it('refuses two minutes of traffic unless the real rate is given, and counts rows no model answered', () => {
    const short = [ledgerRow({ id: 'a', ts: 0, costNanos: 1_000 }), ledgerRow({ id: 'b', ts: 120_000, costNanos: 1_000 })];
    expect(() => simulateLedger(short, { config, now: 0 })).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'requests-per-day', message: expect.stringContaining('covers only 2 min') }));
    const failed = ledgerRow({ id: 'c', ts: 60_000, servedModel: null, provider: null, status: 'error', httpStatus: 404, errorCode: 'model_not_found' });
    const simulation = simulateLedger([...short, failed], { config, now: 0, requestsPerDay: 1000 });
    expect(simulation.warnings).toEqual([]);
    expect(simulation.strategies[0].detail).toBe('3 rows: served by big ×2; answered by no model (refused or failed before routing) ×1');
  });
});
