import { afterAll, describe, expect, it } from 'vitest';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createPostgresLedgerStore } from '../ledger/postgres-ledger-store.js';
import { createQualityWindowReader } from '../quality/quality-window-reader.js';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { openLedgerSqlClient, readExperimentStats } from './experiment-stats.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'experiment stats on PostgreSQL');
const schemas = testSchemas('experiments');
afterAll(() => (reachable ? schemas.dropAll() : undefined));

describe.skipIf(!reachable)('experiment stats and quality windows on PostgreSQL', () => {
  it('reads the same numbers as on SQLite: exact cost past 2^53, latencies, current scores, escalations', async () => {
    const schema = schemas.schemaOf('stats');
    const ledger = createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema });
    const feedback = openFeedbackStore({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema });
    const client = openLedgerSqlClient({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema });
    try {
      await ledger.migrate();
      const [template] = ledgerWorkload();
      const big = 2 ** 53 - 1;
      const row = (id: string, arm: string, costNanos: number, latencyMs: number, extra: Partial<LedgerRow> = {}): LedgerRow => ({
        ...template, id, ts: 1_000 + Number(id.slice(1)), experiment: 'ab', arm, costNanos, latencyMs, status: 'ok', overhead: null, routeTrace: 'auto>m', ...extra,
      });
      await ledger.insert([
        row('r1', 'a', big, 100),
        row('r2', 'a', big, 300, { routeTrace: 'auto>cascade:invalid_json>m' }),
        row('r3', 'b', 500, 50),
        row('r4', 'shadow', 90, 40, { overhead: 'shadow' }),
        row('r5', 'shadow', 7, 1, { overhead: 'judge' }),
      ]);
      const score = (id: string, value: number, name = 'judge') => feedback.add({ requestId: id, requestTs: 1_000 + Number(id.slice(1)), name, score: value, comment: null, source: 'judge', scoredBy: null, metadata: null });
      await score('r1', 0.5);
      await score('r1', 1);
      await score('r3', 0);
      const stats = await readExperimentStats(client, 'ab');
      expect(stats.judgeCostNanos).toBe(7n);
      expect(stats.arms.map((arm) => [arm.arm, arm.shadow, arm.requests, arm.costNanos, arm.latenciesMs])).toEqual([
        ['a', false, 2, 2n * BigInt(big), [100, 300]],
        ['b', false, 1, 500n, [50]],
        ['shadow', true, 1, 90n, [40]],
      ]);
      expect(stats.arms[0].quality).toEqual({ scored: 1, sum: 1, sumOfSquares: 1, binary: 1, ones: 1 });
      const windows = await createQualityWindowReader(client)('route', 0, 10_000);
      // Overhead rows are left out; r2 escalated.
      expect(windows.get('auto')?.escalation_rate).toEqual({ scored: 3, sum: 1, sumOfSquares: 1, binary: 3, ones: 1 });
      expect(windows.get('auto')?.judge).toMatchObject({ scored: 2, sum: 1 });
    } finally {
      await client.close();
      await feedback.close();
      await ledger.close();
    }
  });
});
