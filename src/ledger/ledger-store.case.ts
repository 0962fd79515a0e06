import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow, LedgerStatus } from './ledger-row.js';
import { LONG_TEXT_MAX, SHORT_TEXT_MAX } from './ledger-row-codec.js';
import { LedgerRowsRefusedError, type LedgerStore, type ReportDimension, type ReportRow } from './ledger-store.js';
import { REPORT_DIMENSION_NAMES } from './report-dimensions.js';
import { totalReport } from './report-format.js';

export interface LedgerStoreFactory {
  /** A store on the database called `name`: new and empty the first time, the same database when called again. */
  open(name: string): LedgerStore;
  /** Removes every database this factory made. */
  cleanUp(): Promise<void>;
}

/** Monday 2025-03-03 00:00 UTC. */
export const WORKLOAD_START = Date.UTC(2025, 2, 3);
const HOUR = 3_600_000;
const MODELS = [
  { model: 'gpt-4o-mini', provider: 'openai' },
  { model: 'gpt-4o', provider: 'openai' },
  { model: 'claude-haiku', provider: 'anthropic' },
  { model: null, provider: null },
] as const;

/**
 * 50 requests, one every 7 hours (15 days, 3 ISO weeks), varying every column a report reads.
 * Hand-computed totals: cost Σ(1 000 003·(i+1) + i mod 3) = 1 275 003 874; prompt Σ(100 + 37i) = 50 325;
 * completion Σ(10 + 13i) = 16 425; cached 13 rows × 64 = 832; 5 errors; 8 estimated;
 * saved Σ 2 000 001·i over i = 0, 4, …, 48 (Σ i = 312) = 624 000 312; task 'chat' on the 13 rows i ≡ 1 (mod 4).
 * Saved by mechanism, each row consistent (baseline = cost + saved = cost + the four parts): on i ≡ 0 (mod 4) the
 * response cache saved 2 000 000·i and prompt caching i (Σ 624 000 000 and 312); on i ≡ 2 (mod 4), i = 2, 6, …, 46
 * (Σ i = 288), compression saved 500 000·i while routing lost as much (Σ 144 000 000 and −144 000 000);
 * baseline Σ = 1 275 003 874 + 624 000 312 = 1 899 004 186.
 */
export function ledgerWorkload(): LedgerRow[] {
  return Array.from({ length: 50 }, (_, i): LedgerRow => {
    const { model, provider } = MODELS[i % 4];
    const status: LedgerStatus = i % 10 === 9 ? 'error' : i % 10 === 4 ? 'client_aborted' : 'ok';
    const savedNanos = i % 4 === 0 ? 2_000_001 * i : 0;
    const costNanos = 1_000_003 * (i + 1) + (i % 3);
    const tags: Record<string, string> = i % 5 === 0 ? {} : i % 5 === 1 ? { team: 'growth' } : { feature: ['summarize', 'chat', 'extract'][i % 3], team: ['core', 'growth ✓'][i % 2] };
    if (i === 47) tags.feature = 'quotes, "commas" and \'apostrophes\'';
    return {
      id: `req-${String(i).padStart(2, '0')}`,
      ts: WORKLOAD_START + i * 7 * HOUR,
      keyId: ['key_a', 'key_b', null][i % 3],
      user: i % 3 === 0 ? null : `user-${i}`,
      tags,
      requestedModel: i % 4 === 3 ? 'not-a-model' : 'auto',
      servedModel: model,
      provider,
      stream: i % 2 === 0,
      promptTokens: 100 + 37 * i,
      completionTokens: 10 + 13 * i,
      cachedTokens: i % 4 === 0 ? 64 : 0,
      cacheCreationTokens: i % 8 === 0 ? 128 : 0,
      tokensEstimated: i % 7 === 0,
      costNanos,
      savedNanos,
      baselineNanos: costNanos + savedNanos,
      savedRoutingNanos: i % 4 === 2 ? -500_000 * i : 0,
      savedCacheNanos: i % 4 === 0 ? 2_000_000 * i : 0,
      savedCompressionNanos: i % 4 === 2 ? 500_000 * i : 0,
      savedPromptCacheNanos: i % 4 === 0 ? i : 0,
      // A caller-choice amount on i ≡ 1 (mod 4), summed like every other money column.
      callerChoiceNanos: i % 4 === 1 ? 300_007 * i : 0,
      // A batch line's lane saving, given back by a prompt batch that had to re-send: the parts still sum to 0.
      savedBatchNanos: i % 4 === 3 ? 700 * i : 0,
      savedBatchingNanos: i % 4 === 3 ? -700 * i : 0,
      latencyMs: 100.125 + i,
      ttftMs: i % 2 === 0 ? 12.345 + i : null,
      status,
      httpStatus: status === 'ok' ? 200 : status === 'error' ? 502 : 499,
      errorCode: status === 'ok' ? null : status === 'error' ? 'upstream_error' : 'client_aborted',
      cacheStatus: ['hit', 'miss', null, 'bypass'][i % 4],
      routeTrace: [null, 'auto>classify:chat>gpt-4o-mini', 'cheap>gpt-4o-mini', 'auto'][i % 4],
      task: i % 4 === 1 ? 'chat' : null,
      tokenReduction: i % 5 === 3 ? { before: 1000 + i, after: 400 + i } : null,
      warnings: i % 6 === 0 ? ['dropped parameter logit_bias', 'model swapped: gpt-4o → gpt-4o-mini'] : i % 10 === 5 ? ['prompt-order: variable content precedes a static block of ~1200 tokens'] : [],
      serviceTier: i % 4 === 3 ? 'batch' : i % 9 === 4 ? 'flex' : null,
      batchId: i % 4 === 3 ? `batch_${i % 8}` : null,
      overhead: i % 10 === 9 ? 'judge' : null,
      experiment: i % 5 === 2 ? 'cheap-vs-strong' : null,
      arm: i % 5 === 2 ? ['a', 'b'][i % 2] : null,
    };
  });
}

function isoDay(ms: number) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The oracle: what each dimension means, written in plain JS. A new dimension must add its line here. */
const groupOf: Record<ReportDimension, (row: LedgerRow) => string | null> = {
  feature: (row) => row.tags.feature ?? null,
  team: (row) => row.tags.team ?? null,
  model: (row) => row.servedModel,
  provider: (row) => row.provider,
  key: (row) => row.keyId,
  day: (row) => isoDay(row.ts),
  hour: (row) => `${new Date(row.ts - (row.ts % 3_600_000)).toISOString().slice(0, 13)}:00Z`,
  week: (row) => {
    const date = new Date(row.ts);
    const sinceMonday = (date.getUTCDay() + 6) % 7;
    return isoDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - sinceMonday));
  },
  route: (row) => (row.routeTrace === null ? null : row.routeTrace.split('>')[0]),
  path: (row) => row.routeTrace,
  status: (row) => row.status,
  cache: (row) => row.cacheStatus,
  task: (row) => row.task,
  overhead: (row) => row.overhead ?? 'caller',
  prompt_order: (row) => (row.warnings.some((warning) => warning.startsWith('prompt-order:')) ? 'variable-before-static' : 'ok'),
};

export function expectedReport(rows: readonly LedgerRow[], by: ReportDimension, then?: ReportDimension): ReportRow[] {
  const groups = new Map<string | null, ReportRow>();
  for (const row of rows) {
    const key = then === undefined ? groupOf[by](row) : `${groupOf[by](row) ?? '(none)'} / ${groupOf[then](row) ?? '(none)'}`;
    const group = groups.get(key) ?? {
      group: key, requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costNanos: 0n, savedNanos: 0n, baselineNanos: 0n,
      savedRoutingNanos: 0n, savedCacheNanos: 0n, savedCompressionNanos: 0n, savedPromptCacheNanos: 0n, savedBatchNanos: 0n, savedBatchingNanos: 0n,
      callerChoiceNanos: 0n, errors: 0, estimatedRows: 0,
    };
    group.requests += 1;
    group.promptTokens += row.promptTokens;
    group.completionTokens += row.completionTokens;
    group.cachedTokens += row.cachedTokens;
    group.costNanos += BigInt(row.costNanos);
    group.savedNanos += BigInt(row.savedNanos);
    group.baselineNanos += BigInt(row.baselineNanos);
    group.savedRoutingNanos += BigInt(row.savedRoutingNanos);
    group.savedCacheNanos += BigInt(row.savedCacheNanos);
    group.savedCompressionNanos += BigInt(row.savedCompressionNanos);
    group.savedPromptCacheNanos += BigInt(row.savedPromptCacheNanos);
    group.savedBatchNanos += BigInt(row.savedBatchNanos);
    group.savedBatchingNanos += BigInt(row.savedBatchingNanos);
    group.callerChoiceNanos += BigInt(row.callerChoiceNanos);
    group.errors += row.status === 'error' ? 1 : 0;
    group.estimatedRows += row.tokensEstimated ? 1 : 0;
    groups.set(key, group);
  }
  return [...groups.values()];
}

function byGroupName(rows: ReportRow[]) {
  return [...rows].sort((a, b) => String(a.group).localeCompare(String(b.group)));
}

/**
 * The behaviour every LedgerStore must have. A backend's test file builds a factory and calls this.
 * (Named `.case.ts` so vitest does not run it on its own.)
 */
export function describeLedgerStoreConformance(name: string, createFactory: () => Promise<LedgerStoreFactory>) {
  describe(`${name}: LedgerStore conformance`, () => {
    let factory: LedgerStoreFactory | undefined;
    const opened: LedgerStore[] = [];
    async function open(database: string): Promise<LedgerStore> {
      factory ??= await createFactory();
      const store = factory.open(database);
      opened.push(store);
      return store;
    }
    async function migrated(database: string, rows: LedgerRow[] = []): Promise<LedgerStore> {
      const store = await open(database);
      await store.migrate();
      await store.insert(rows);
      return store;
    }
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    afterAll(async () => {
      await factory?.cleanUp();
    });

    it('migrates twice, and from two connections at once, without error or duplicate work', async () => {
      const first = await open('migrate');
      const second = await open('migrate');
      await Promise.all([first.migrate(), second.migrate()]);
      await first.migrate();
      await first.insert(ledgerWorkload().slice(0, 1));
      expect(await second.rows({})).toHaveLength(1);
    });

    it('round-trips every field of every row: tags, warnings, nulls, booleans, fractional ms', async () => {
      const workload = ledgerWorkload();
      const store = await migrated('roundtrip', workload);
      expect(await store.rows({})).toEqual(workload);
    });

    it('reports one dimension within another (hit rates per route, spend per model and day)', async () => {
      const workload = ledgerWorkload();
      const store = await migrated('two-dimensions', workload);
      for (const [by, then] of [['route', 'cache'], ['model', 'day'], ['feature', 'cache']] as const) {
        const report = await store.report({ by, then });
        expect(byGroupName(report), `report by ${by} then ${then}`).toEqual(byGroupName(expectedReport(workload, by, then)));
        expect(report.reduce((sum, row) => sum + row.requests, 0)).toBe(50);
      }
    });

    it('reports the hand-computed totals on every dimension', async () => {
      const workload = ledgerWorkload();
      const store = await migrated('totals', workload);
      for (const by of REPORT_DIMENSION_NAMES) {
        const report = await store.report({ by });
        expect(byGroupName(report), `report by ${by}`).toEqual(byGroupName(expectedReport(workload, by)));
        // Every dimension partitions the same 50 rows.
        expect(report.reduce((sum, row) => sum + row.costNanos, 0n), `cost by ${by}`).toBe(1_275_003_874n);
        expect(report.reduce((sum, row) => sum + row.savedNanos, 0n), `saved by ${by}`).toBe(624_000_312n);
        const total = totalReport(report);
        expect(
          [total.baselineNanos, total.savedRoutingNanos, total.savedCacheNanos, total.savedCompressionNanos, total.savedPromptCacheNanos],
          `saved by mechanism by ${by}`,
        ).toEqual([1_899_004_186n, -144_000_000n, 624_000_000n, 144_000_000n, 312n]);
        // i ≡ 3 (mod 4): Σ i = 300.
        expect([total.savedBatchNanos, total.savedBatchingNanos], `batch lanes by ${by}`).toEqual([210_000n, -210_000n]);
        // The invariant, in every group and the total: saved = baseline − cost = the sum of the six mechanisms.
        for (const row of [...report, { ...total, group: 'TOTAL' }]) {
          expect(row.baselineNanos - row.costNanos, `baseline − cost of ${row.group} by ${by}`).toBe(row.savedNanos);
          expect(row.savedRoutingNanos + row.savedCacheNanos + row.savedCompressionNanos + row.savedPromptCacheNanos + row.savedBatchNanos + row.savedBatchingNanos, `parts of ${row.group} by ${by}`).toBe(row.savedNanos);
        }
        expect(report.reduce((sum, row) => sum + row.promptTokens, 0), `prompt by ${by}`).toBe(50_325);
        expect(report.reduce((sum, row) => sum + row.completionTokens, 0)).toBe(16_425);
        expect(report.reduce((sum, row) => sum + row.cachedTokens, 0)).toBe(832);
        expect(report.reduce((sum, row) => sum + row.errors, 0)).toBe(5);
        expect(report.reduce((sum, row) => sum + row.estimatedRows, 0)).toBe(8);
        expect(report.reduce((sum, row) => sum + row.requests, 0)).toBe(50);
      }
    });

    it('spells out a few groups by hand', async () => {
      const store = await migrated('by-hand', ledgerWorkload());
      const status = await store.report({ by: 'status' });
      // client_aborted: i = 4, 14, 24, 34, 44 → cost Σ 1 000 003·(i+1) + i mod 3 = 125 000 375 + 6; i = 14 is estimated;
      // saved 2 000 001·i on i = 4, 24, 44 (the multiples of 4) = 2 000 001 × 72 = 144 000 072: cache 2 000 000 × 72,
      // prompt cache 72; on i = 14, 34 compression saved and routing lost 500 000 × 48 = 24 000 000; baseline = cost + saved.
      expect(status.find((row) => row.group === 'client_aborted')).toEqual({
        group: 'client_aborted', requests: 5, promptTokens: 5 * 100 + 37 * 120, completionTokens: 5 * 10 + 13 * 120,
        cachedTokens: 3 * 64, costNanos: 125_000_381n, savedNanos: 144_000_072n, baselineNanos: 269_000_453n, savedRoutingNanos: -24_000_000n,
        savedCacheNanos: 144_000_000n, savedCompressionNanos: 24_000_000n, savedPromptCacheNanos: 72n, savedBatchNanos: 0n, savedBatchingNanos: 0n,
        callerChoiceNanos: 0n, errors: 0, estimatedRows: 1,
      });
      // task 'chat': i = 1, 5, …, 49 (13 rows, Σ i = 325) → cost 1 000 003 × (325 + 13) + Σ i mod 3 (1,2,0 ×4, then 1) = 338 001 014 + 13;
      // errors at i = 9, 29, 49; estimated at i = 21, 49; none is even, so no cached tokens, nothing saved by any
      // mechanism, and the baseline is the cost. Every other row has no task: one null group of the remaining 37.
      const tasks = await store.report({ by: 'task' });
      expect(tasks).toEqual([
        {
          group: null, requests: 37, promptTokens: 50_325 - 13_325, completionTokens: 16_425 - 4_355, cachedTokens: 832,
          costNanos: 1_275_003_874n - 338_001_027n, savedNanos: 624_000_312n, baselineNanos: 1_899_004_186n - 338_001_027n,
          savedRoutingNanos: -144_000_000n, savedCacheNanos: 624_000_000n, savedCompressionNanos: 144_000_000n, savedPromptCacheNanos: 312n,
          savedBatchNanos: 210_000n, savedBatchingNanos: -210_000n, callerChoiceNanos: 0n, errors: 2, estimatedRows: 6,
        },
        {
          group: 'chat', requests: 13, promptTokens: 13 * 100 + 37 * 325, completionTokens: 13 * 10 + 13 * 325, cachedTokens: 0,
          costNanos: 338_001_027n, savedNanos: 0n, baselineNanos: 338_001_027n, savedRoutingNanos: 0n, savedCacheNanos: 0n,
          // Every chat row is i ≡ 1 (mod 4), which carries a caller choice: 300 007 × Σ i = 300 007 × 325.
          savedCompressionNanos: 0n, savedPromptCacheNanos: 0n, savedBatchNanos: 0n, savedBatchingNanos: 0n, callerChoiceNanos: 97_502_275n, errors: 3, estimatedRows: 2,
        },
      ]);
      const weeks = await store.report({ by: 'week' });
      expect(weeks.map((row) => [row.group, row.requests])).toEqual([['2025-03-03', 24], ['2025-03-10', 24], ['2025-03-17', 2]]);
      const routes = await store.report({ by: 'route' });
      expect(routes.map((row) => [row.group, row.requests]).sort()).toEqual([['auto', 25], ['cheap', 12], [null, 13]].sort());
    });

    it('lists groups most expensive first, and days in order', async () => {
      const store = await migrated('order', ledgerWorkload());
      const models = await store.report({ by: 'model' });
      const costs = models.map((row) => row.costNanos);
      expect(costs).toEqual([...costs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
      const days = (await store.report({ by: 'day' })).map((row) => row.group);
      expect(days[0]).toBe('2025-03-03');
      expect(days).toEqual([...days].sort());
      expect(days).toHaveLength(15);
    });

    it('filters reports and rows by since (inclusive) and until (exclusive)', async () => {
      const workload = ledgerWorkload();
      const store = await migrated('since', workload);
      const since = workload[10].ts;
      const until = workload[20].ts;
      const inRange = workload.slice(10, 20);
      const report = await store.report({ by: 'provider', since, until });
      expect(byGroupName(report)).toEqual(byGroupName(expectedReport(inRange, 'provider')));
      expect(report.reduce((sum, row) => sum + row.requests, 0)).toBe(10);
      expect((await store.report({ by: 'model', since: workload[49].ts + 1 }))).toEqual([]);
      expect(await store.rows({ since, until })).toEqual(inRange);
      expect((await store.rows({ since, limit: 3 })).map((row) => row.id)).toEqual(['req-10', 'req-11', 'req-12']);
    });

    it('sums costs and savings past 2^53 exactly', async () => {
      const max = Number.MAX_SAFE_INTEGER;
      const saved = [1, max, max, max];
      const rows = [max, max, max, 1].map((costNanos, i) => ({ ...ledgerWorkload()[0], id: `big-${i}`, costNanos, savedNanos: saved[i] }));
      const store = await migrated('big', rows);
      const [total] = await store.report({ by: 'provider' });
      // Summed as floats, the same four costs (or savings) come to 27021597764222972.
      expect(total.costNanos).toBe(27_021_597_764_222_974n);
      expect(total.savedNanos).toBe(27_021_597_764_222_974n);
      expect((await store.rows({})).map((row) => row.costNanos)).toEqual([max, max, max, 1]);
      expect((await store.rows({})).map((row) => row.savedNanos)).toEqual(saved);
    });

    it('round-trips the baseline and the saving by mechanism, negative routing included, and sums them exactly past 2^53', async () => {
      const max = Number.MAX_SAFE_INTEGER;
      const [template] = ledgerWorkload();
      const parts = [
        { baselineNanos: max, savedRoutingNanos: -max, savedCacheNanos: max, savedCompressionNanos: 1, savedPromptCacheNanos: max - 1 },
        { baselineNanos: max, savedRoutingNanos: -1, savedCacheNanos: 0, savedCompressionNanos: max, savedPromptCacheNanos: 2 },
        { baselineNanos: 3, savedRoutingNanos: -max, savedCacheNanos: max, savedCompressionNanos: max, savedPromptCacheNanos: 0 },
      ];
      const rows = parts.map((part, i) => ({ ...template, id: `parts-${i}`, ...part }));
      const store = await migrated('parts', rows);
      expect(await store.rows({})).toEqual(rows);
      const [total] = await store.report({ by: 'provider' });
      // Each column summed exactly; as doubles the baseline, 2·(2^53 − 1) + 3, would come out as 2^54 = 18 014 398 509 481 984.
      expect([total.baselineNanos, total.savedRoutingNanos, total.savedCacheNanos, total.savedCompressionNanos, total.savedPromptCacheNanos]).toEqual([
        18_014_398_509_481_985n, -18_014_398_509_481_983n, 18_014_398_509_481_982n, 18_014_398_509_481_983n, 9_007_199_254_740_992n,
      ]);
    });

    it('round-trips savings and the routed task, keeping an empty task apart from none', async () => {
      const [template] = ledgerWorkload();
      const rows = [
        { ...template, id: 'saved-0', savedNanos: 0, task: null },
        { ...template, id: 'saved-1', savedNanos: 1, task: 'summarize' },
        { ...template, id: 'saved-2', savedNanos: 987_654_321_012, task: 'résumé ✓ "quoted"' },
        { ...template, id: 'saved-3', savedNanos: 42, task: '' },
      ];
      const store = await migrated('saved', rows);
      const stored = await store.rows({});
      expect(stored.map((row) => [row.id, row.savedNanos, row.task])).toEqual(rows.map((row) => [row.id, row.savedNanos, row.task]));
      expect(stored).toEqual(rows);
      const byTask = await store.report({ by: 'task' });
      // Equal costs and counts: groups by name, the empty one first, none last.
      expect(byTask.map((row) => [row.group, row.requests, row.savedNanos])).toEqual([
        ['', 1, 42n],
        ['résumé ✓ "quoted"', 1, 987_654_321_012n],
        ['summarize', 1, 1n],
        [null, 1, 0n],
      ]);
    });

    it('keeps rows that share a request id (a caller-supplied x-request-id may repeat), in insertion order', async () => {
      const [row] = ledgerWorkload();
      const store = await migrated('duplicates', [row, { ...row, costNanos: 7 }]);
      await store.insert([{ ...row, costNanos: 9 }]);
      expect((await store.rows({})).map((stored) => stored.costNanos)).toEqual([row.costNanos, 7, 9]);
    });

    it('rejects a batch holding a row the database cannot store, writing none of it', async () => {
      const [good, other] = ledgerWorkload();
      const store = await migrated('invalid');
      const insert = store.insert([good, { ...other, costNanos: 1.5 }]);
      await expect(insert).rejects.toBeInstanceOf(FrugalError);
      // Refused data, not a store failure: the writer isolates the row instead of retrying the batch forever.
      await expect(insert).rejects.toBeInstanceOf(LedgerRowsRefusedError);
      await expect(insert).rejects.toMatchObject({ code: 'internal_error' });
      await store.insert([]);
      expect(await store.rows({})).toEqual([]);
    });

    it('stores text PostgreSQL cannot take: NUL and lone surrogates become U+FFFD, over-long values end in …', async () => {
      const [template, next] = ledgerWorkload();
      const long = 'm'.repeat(10_000);
      const hostile: LedgerRow = {
        ...template,
        id: 'nul\u0000id',
        user: 'us\u0000er',
        requestedModel: `gpt\u0000${long}`,
        servedModel: 'half \uD83D pair',
        keyId: 'key\uDE00',
        tags: { 'te\u0000am': 'core\u0000', feature: '\uD800x' },
        routeTrace: `auto>${'r'.repeat(LONG_TEXT_MAX * 2)}`,
        warnings: ['w\u0000', 'ok 😀'],
        errorCode: '\u0000',
      };
      const store = await migrated('hostile-text', [hostile, next]);
      const [stored, after] = await store.rows({});
      expect(after).toEqual(next);
      expect(stored).toMatchObject({ id: 'nul\uFFFDid', user: 'us\uFFFDer', servedModel: 'half \uFFFD pair', keyId: 'key\uFFFD', errorCode: '\uFFFD', warnings: ['w\uFFFD', 'ok 😀'] });
      expect(stored.tags).toEqual({ 'te\uFFFDam': 'core\uFFFD', feature: '\uFFFDx' });
      expect(stored.requestedModel).toHaveLength(SHORT_TEXT_MAX);
      expect(stored.requestedModel).toMatch(/^gpt\uFFFDm+…$/);
      expect(stored.routeTrace).toHaveLength(LONG_TEXT_MAX);
      // Reports read the tags as JSON (jsonb on PostgreSQL), which refuses \u0000 and lone surrogate escapes.
      const features = await store.report({ by: 'feature' });
      expect(features.map((row) => [row.group, row.requests])).toContainEqual(['\uFFFDx', 1]);
      expect((await store.report({ by: 'model' })).reduce((sum, row) => sum + row.requests, 0)).toBe(2);
    });

    it('counts the stored copies of each (id, start time), the keys a spool replay checks', async () => {
      const [first, second] = ledgerWorkload();
      const store = await migrated('count-stored', [first, first, second]);
      const keys = [first, second, { ...first, ts: first.ts + 1 }, { ...second, id: 'not-stored' }, first];
      expect(await store.countStored(keys)).toEqual([2, 1, 0, 0, 2]);
      expect(await store.countStored([])).toEqual([]);
    });

    it('returns an empty report for an empty ledger', async () => {
      const store = await migrated('empty');
      expect(await store.report({ by: 'feature' })).toEqual([]);
    });
  });
}
