import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresLedgerStore } from '../ledger/postgres-ledger-store.js';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { describeFeedbackStoreConformance } from './feedback-store.case.js';
import { openFeedbackStore } from './open-feedback-store.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'postgres-feedback-store tests');
const schemas = testSchemas('feedback');

describe.skipIf(!reachable)('Postgres feedback store', () => {
  describeFeedbackStoreConformance('postgres', async () => ({
    open: (name, options) => ({
      feedback: openFeedbackStore({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema: schemas.schemaOf(name), ...options }),
      ledger: createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema: schemas.schemaOf(name) }),
    }),
    cleanUp: () => schemas.dropAll(),
  }));

  it('creates the feedback table in the ledger schema with a DOUBLE score and BIGINT times', async () => {
    const schema = schemas.schemaOf('types');
    const feedback = openFeedbackStore({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema });
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await feedback.migrate();
      const { rows } = await admin.query<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, 'frugal_feedback'],
      );
      expect(Object.fromEntries(rows.map((row) => [row.column_name, row.data_type]))).toMatchObject({ score: 'double precision', request_ts: 'bigint', created_at: 'bigint', seq: 'bigint', metadata: 'text' });
      const indexes = await admin.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [schema]);
      expect(indexes.rows.map((row) => row.indexname)).toEqual(expect.arrayContaining(['frugal_ledger_id', 'frugal_feedback_request']));
    } finally {
      await feedback.close();
      await admin.end();
      await schemas.dropAll();
    }
  });
});
