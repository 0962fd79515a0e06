import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow, LedgerStatus } from './ledger-row.js';
import type { LedgerStore, ReportDimension, ReportRow } from './ledger-store.js';
import { REPORT_DIMENSION_NAMES } from './report-dimensions.js';

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
 * completion Σ(10 + 13i) = 16 425; cached 13 rows × 64 = 832; 5 errors; 8 estimated.
 */
export function ledgerWorkload(): LedgerRow[] {
  return Array.from({ length: 50 }, (_, i): LedgerRow => {
    const { model, provider } = MODELS[i % 4];
    const status: LedgerStatus = i % 10 === 9 ? 'error' : i % 10 === 4 ? 'client_aborted' : 'ok';
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
      costNanos: 1_000_003 * (i + 1) + (i % 3),
      latencyMs: 100.125 + i,
      ttftMs: i % 2 === 0 ? 12.345 + i : null,
      status,
      httpStatus: status === 'ok' ? 200 : status === 'error' ? 502 : 499,
      errorCode: status === 'ok' ? null : status === 'error' ? 'upstream_error' : 'client_aborted',
      cacheStatus: ['hit', 'miss', null, 'bypass'][i % 4],
      routeTrace: [null, 'auto>classify:chat>gpt-4o-mini', 'cheap>gpt-4o-mini', 'auto'][i % 4],
      warnings: i % 6 === 0 ? ['dropped parameter logit_bias', 'model swapped: gpt-4o → gpt-4o-mini'] : [],
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
  week: (row) => {
    const date = new Date(row.ts);
    const sinceMonday = (date.getUTCDay() + 6) % 7;
    return isoDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - sinceMonday));
  },
  route: (row) => (row.routeTrace === null ? null : row.routeTrace.split('>')[0]),
  status: (row) => row.status,
  cache: (row) => row.cacheStatus,
};

export function expectedReport(rows: readonly LedgerRow[], by: ReportDimension): ReportRow[] {
  const groups = new Map<string | null, ReportRow>();
  for (const row of rows) {
    const key = groupOf[by](row);
    const group = groups.get(key) ?? { group: key, requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costNanos: 0n, errors: 0, estimatedRows: 0 };
    group.requests += 1;
    group.promptTokens += row.promptTokens;
    group.completionTokens += row.completionTokens;
    group.cachedTokens += row.cachedTokens;
    group.costNanos += BigInt(row.costNanos);
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

    it('reports the hand-computed totals on every dimension', async () => {
      const workload = ledgerWorkload();
      const store = await migrated('totals', workload);
      for (const by of REPORT_DIMENSION_NAMES) {
        const report = await store.report({ by });
        expect(byGroupName(report), `report by ${by}`).toEqual(byGroupName(expectedReport(workload, by)));
        // Every dimension partitions the same 50 rows.
        expect(report.reduce((sum, row) => sum + row.costNanos, 0n), `cost by ${by}`).toBe(1_275_003_874n);
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
      // client_aborted: i = 4, 14, 24, 34, 44 → cost Σ 1 000 003·(i+1) + i mod 3 = 125 000 375 + 6; i = 14 is estimated.
      expect(status.find((row) => row.group === 'client_aborted')).toEqual({
        group: 'client_aborted', requests: 5, promptTokens: 5 * 100 + 37 * 120, completionTokens: 5 * 10 + 13 * 120,
        cachedTokens: 3 * 64, costNanos: 125_000_381n, errors: 0, estimatedRows: 1,
      });
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

    it('sums costs past 2^53 exactly', async () => {
      const max = Number.MAX_SAFE_INTEGER;
      const rows = [max, max, max, 1].map((costNanos, i) => ({ ...ledgerWorkload()[0], id: `big-${i}`, costNanos }));
      const store = await migrated('big', rows);
      const [total] = await store.report({ by: 'provider' });
      // Summed as floats, the same four costs come to 27021597764222972.
      expect(total.costNanos).toBe(27_021_597_764_222_974n);
      expect((await store.rows({})).map((row) => row.costNanos)).toEqual([max, max, max, 1]);
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
      await expect(insert).rejects.toMatchObject({ code: 'internal_error' });
      await store.insert([]);
      expect(await store.rows({})).toEqual([]);
    });

    it('returns an empty report for an empty ledger', async () => {
      const store = await migrated('empty');
      expect(await store.report({ by: 'feature' })).toEqual([]);
    });
  });
}
