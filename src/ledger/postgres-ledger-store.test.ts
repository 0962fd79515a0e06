import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { describeLedgerStoreConformance, ledgerWorkload } from './ledger-store.case.js';
import { expectedMigrationRecords, expectUpgradedFrom, legacyLedger } from './ledger-upgrade.case.js';
import { createPostgresLedgerStore } from './postgres-ledger-store.js';
import { postgresDialect } from './sql-dialect.js';

const DATABASE_URL = TEST_DATABASE_URL;
const reachable = serviceGate('PostgreSQL', DATABASE_URL, await postgresReachable(), 'postgres-ledger-store tests');

/** Every schema of this run starts with this prefix, so clean-up drops exactly what the run made. */
const runPrefix = `frugal_test_${randomBytes(4).toString('hex')}_`;

async function dropRunSchemas() {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [runPrefix]);
    for (const { nspname } of rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await admin.end();
  }
}

describe.skipIf(!reachable)('createPostgresLedgerStore', () => {
  describeLedgerStoreConformance('postgres', async () => ({
    open: (name) => createPostgresLedgerStore({ connectionString: DATABASE_URL, schema: `${runPrefix}${name.replaceAll('-', '_')}` }),
    cleanUp: dropRunSchemas,
  }));

  it('stores money and tokens as BIGINT and splits batches past the bind-parameter limit', async () => {
    const schema = `${runPrefix}types`;
    const store = createPostgresLedgerStore({ connectionString: DATABASE_URL, schema });
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      await store.migrate();
      const { rows: columns } = await admin.query<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, 'frugal_ledger'],
      );
      const types = Object.fromEntries(columns.map((column) => [column.column_name, column.data_type]));
      expect(types).toMatchObject({
        cost_nanos: 'bigint', saved_nanos: 'bigint', baseline_nanos: 'bigint', saved_routing_nanos: 'bigint', saved_cache_nanos: 'bigint',
        saved_compression_nanos: 'bigint', saved_prompt_cache_nanos: 'bigint', prompt_tokens: 'bigint', ts: 'bigint', stream: 'boolean', tags: 'text', task: 'text',
      });
      // 30 columns × 3 000 rows = 90 000 parameters: more than one statement may carry.
      const [template] = ledgerWorkload();
      const many = Array.from({ length: 3_000 }, (_, i) => ({ ...template, id: `bulk-${i}`, costNanos: i }));
      await store.insert(many);
      const [total] = await store.report({ by: 'model' });
      expect(total).toMatchObject({ requests: 3_000, costNanos: 4_498_500n });
    } finally {
      await store.close();
      await admin.end();
      await dropRunSchemas();
    }
  });

  it.each([1, 3] as const)('upgrades a version-%i ledger holding rows, keeping what that version stored and reading 0 for the rest', async (version) => {
    const schema = `${runPrefix}version_${version}`;
    const { rows, statements } = legacyLedger(postgresDialect(schema), 'native', version);
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    const store = createPostgresLedgerStore({ connectionString: DATABASE_URL, schema, now: () => 1_700_000_000_000 });
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      for (const { sql, params } of statements) await admin.query(sql, params);
      await store.migrate();
      await expectUpgradedFrom(store, rows, version);
      const { rows: applied } = await admin.query<{ version: number; applied_at: string }>(
        `SELECT version, applied_at FROM "${schema}".frugal_migrations ORDER BY version`,
      );
      // The old versions kept their records; every later one was applied by this migrate(). BIGINT comes back as text.
      expect(applied).toEqual(expectedMigrationRecords(version, 1_700_000_000_000).map((record) => ({ ...record, applied_at: String(record.applied_at) })));
    } finally {
      await store.close();
      await admin.end();
      await dropRunSchemas();
    }
  });
});
