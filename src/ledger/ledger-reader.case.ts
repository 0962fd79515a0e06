import { afterAll, describe, expect, it } from 'vitest';
import type { LedgerReader, RollupReportRow } from './ledger-reader.js';
import type { LedgerRow } from './ledger-row.js';
import { ledgerWorkload, WORKLOAD_START } from './ledger-store.case.js';
import type { LedgerStore, ReportQuery, ReportRow } from './ledger-store.js';
import { REPORT_DIMENSION_NAMES } from './report-dimensions.js';

export interface LedgerReaderFactory {
  /** A new, empty, migrated ledger called `name`, with a store writing it and a reader reading it. */
  open(name: string): Promise<{ store: LedgerStore; reader: LedgerReader }>;
  cleanUp(): Promise<void>;
}

const HOUR = 3_600_000;

/** The workload twice: the copy 10 minutes later lands in the same hours and groups, in a later batch. */
function workload(): LedgerRow[][] {
  // Migration 8's columns varied too.
  const rows = ledgerWorkload().map(
    (row, i): LedgerRow => ({
      ...row,
      savedBatchNanos: i % 5 === 2 ? 1_000 * i : 0,
      savedBatchingNanos: i % 7 === 3 ? 17 * i : 0,
      serviceTier: i % 6 === 1 ? 'batch' : null,
      batchId: i % 6 === 1 ? `batch_${i % 4}` : null,
      overhead: i % 9 === 4 ? 'judge' : null,
      experiment: i % 3 === 0 ? 'exp-a' : null,
      arm: i % 3 === 0 ? ['control', 'cheap'][i % 2] : null,
    }),
  );
  return [rows.slice(0, 20), rows.slice(20), rows.map((row) => ({ ...row, id: `${row.id}-again`, ts: row.ts + 10 * 60_000, costNanos: row.costNanos + 1, baselineNanos: row.baselineNanos + 1 }))];
}

function withoutLatency(rows: RollupReportRow[]): ReportRow[] {
  return rows.map(({ latencyMsSum: _l, ttftMsSum: _t, ttftCount: _c, ...row }) => row);
}

/** Windows that start and end on hours, inside one hour, across hours at odd ms, and empty. */
const WINDOWS: Array<Pick<ReportQuery, 'since' | 'until'>> = [
  {},
  { since: WORKLOAD_START + 3 * HOUR, until: WORKLOAD_START + 200 * HOUR },
  { since: WORKLOAD_START + 7 * HOUR + 5 * 60_000 + 1, until: WORKLOAD_START + 251 * HOUR + 7 },
  { since: WORKLOAD_START + 14 * HOUR + 60_000, until: WORKLOAD_START + 14 * HOUR + 11 * 60_000 },
  { since: WORKLOAD_START + 21 * HOUR },
  { until: WORKLOAD_START + 28 * HOUR + 1 },
  { since: WORKLOAD_START + 5 * HOUR, until: WORKLOAD_START + 5 * HOUR },
];

/**
 * Every LedgerReader reads from the hourly rollup exactly what LedgerStore.report reads from the rows: every
 * dimension, one within another, filters, windows cut anywhere, and after a rebuild.
 */
export function describeLedgerReaderConformance(name: string, makeFactory: () => Promise<LedgerReaderFactory>) {
  describe(`${name} ledger reader (hourly rollup)`, async () => {
    const factory = await makeFactory();
    afterAll(() => factory.cleanUp());
    const { store, reader } = await factory.open('reader');
    for (const batch of workload()) await store.insert(batch);
    afterAll(async () => {
      await reader.close();
      await store.close();
    });

    async function expectSame(query: ReportQuery) {
      const fromRows = await store.report(query);
      expect(withoutLatency(await reader.report(query)), JSON.stringify(query)).toEqual(fromRows);
      return fromRows;
    }

    it('equals the report of the rows on every dimension, in every window', async () => {
      for (const window of WINDOWS) for (const by of REPORT_DIMENSION_NAMES) await expectSame({ by, ...window });
      // Not vacuous: the windows hold rows, and the rollup groups several rows of one hour.
      expect((await expectSame({ by: 'status', ...WINDOWS[2] })).reduce((sum, row) => sum + row.requests, 0)).toBeGreaterThan(40);
    });

    it('equals it for one dimension within another and under filters', async () => {
      const pairs = [['route', 'cache'], ['model', 'day'], ['team', 'feature'], ['key', 'prompt_order'], ['week', 'provider']] as const;
      for (const [by, then] of pairs) for (const window of WINDOWS.slice(0, 3)) await expectSame({ by, then, ...window });
      const growth = await expectSame({ by: 'model', where: [{ dimension: 'team', value: 'growth' }], ...WINDOWS[2] });
      const none = await expectSame({ by: 'key', where: [{ dimension: 'feature', value: null }, { dimension: 'status', value: 'ok' }] });
      expect(growth.length).toBeGreaterThan(0);
      expect(none.length).toBeGreaterThan(0);
    });

    it('adds latency sums to each group', async () => {
      const [all] = await reader.report({ by: 'status', where: [{ dimension: 'status', value: 'ok' }] });
      const rows = (await store.rows({})).filter((row) => row.status === 'ok');
      expect(all.latencyMsSum).toBeCloseTo(rows.reduce((sum, row) => sum + row.latencyMs, 0), 6);
      expect(all.ttftCount).toBe(rows.filter((row) => row.ttftMs !== null).length);
    });

    it('rebuilds the rollup from the rows to the same reports', async () => {
      const before = withoutLatency(await reader.report({ by: 'route', then: 'model' }));
      const { groups } = await reader.rebuildRollup();
      expect(groups).toBeGreaterThan(0);
      // Latency sums are floats, added in another order: equal only to rounding.
      expect(withoutLatency(await reader.report({ by: 'route', then: 'model' }))).toEqual(before);
      await expectSame({ by: 'team', ...WINDOWS[1] });
    });

    it('lists the newest rows first, for one key when asked', async () => {
      const latest = await reader.latest({ limit: 5 });
      expect(latest.map((row) => row.id)).toEqual(['req-49-again', 'req-49', 'req-48-again', 'req-48', 'req-47-again']);
      const keyB = await reader.latest({ limit: 100, keyId: 'key_b' });
      expect(keyB.length).toBe(34);
      expect(keyB.every((row) => row.keyId === 'key_b')).toBe(true);
    });
  });
}
