import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { describeKeyStoreConformance } from './key-store.case.js';
import { openKeyStore } from './open-key-store.js';
import { createPostgresSqlClient } from './postgres-sql-client.js';
import { createSqlKeyStore } from './sql-key-store.js';

const DATABASE_URL = TEST_DATABASE_URL;
const reachable = serviceGate('PostgreSQL', DATABASE_URL, await postgresReachable(), 'postgres-key-store tests');

/** Every schema of this run starts with this prefix, so clean-up drops exactly what the run made. */
const runPrefix = `frugal_keys_test_${randomBytes(4).toString('hex')}_`;
const schemaOf = (name: string) => `${runPrefix}${name.replaceAll('-', '_')}`;

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

async function dropRunSchemas() {
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [runPrefix]);
    for (const { nspname } of rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
  });
}

describe.skipIf(!reachable)('Postgres key store', () => {
  describeKeyStoreConformance('postgres', async () => ({
    open: (name, options) => createSqlKeyStore(createPostgresSqlClient({ connectionString: DATABASE_URL, schema: schemaOf(name) }), options),
    rawRows: (name) => withAdmin(async (admin) => (await admin.query(`SELECT * FROM "${schemaOf(name)}".frugal_keys`)).rows),
    cleanUp: dropRunSchemas,
  }));

  it('creates the keys table in the ledger schema with BIGINT times and a BOOLEAN hard flag', async () => {
    const schema = schemaOf('types');
    const store = openKeyStore({ databaseUrl: DATABASE_URL, dataDir: 'unused', schema });
    try {
      await store.migrate();
      await store.create({ name: 'x', budget: { limitUsd: '1', period: 'day', hard: true } });
      const columns = await withAdmin(async (admin) => {
        const { rows } = await admin.query<{ table_name: string; column_name: string; data_type: string }>(
          'SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1',
          [schema],
        );
        return rows;
      });
      expect(new Set(columns.map((column) => column.table_name))).toEqual(new Set(['frugal_feedback', 'frugal_keys', 'frugal_ledger', 'frugal_ledger_hourly', 'frugal_migrations', 'frugal_samples']));
      const types = Object.fromEntries(columns.filter((column) => column.table_name === 'frugal_keys').map((column) => [column.column_name, column.data_type]));
      expect(types).toMatchObject({ created_at: 'bigint', expires_at: 'bigint', budget_hard: 'boolean', secret_hash: 'text' });
      expect(await store.count()).toBe(1);
    } finally {
      await store.close();
      await dropRunSchemas();
    }
  });
});
