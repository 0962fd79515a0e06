import pg from 'pg';
import { appliedVersionsSql, migrationsTableSql, pendingMigrations, recordMigrationSql } from '../ledger/migrations.js';
import { postgresDialect } from '../ledger/sql-dialect.js';
import { RESPONSE_MIGRATIONS } from './response-migrations.js';
import { decodeResponse, encodeReplacement, encodeResponse, responseSql, responseStoreError } from './response-sql.js';
import { ownerColumn, type ResponseStore } from './response-store.js';

export interface PostgresResponseStoreOptions {
  /** The ledger's database: postgres://user:password@host:port/database */
  connectionString: string;
  /** The ledger's schema (created if missing); tests use one per run. */
  schema?: string;
  maxConnections?: number;
  now?: () => number;
}

/**
 * Stored responses in the ledger's PostgreSQL database, shared by every gateway instance, so a
 * `previous_response_id` works whichever instance the next call reaches.
 *
 * @example
 * const store = createPostgresResponseStore({ connectionString: process.env.DATABASE_URL! });
 * await store.migrate();
 */
export function createPostgresResponseStore({ connectionString, schema = 'public', maxConnections = 4, now = Date.now }: PostgresResponseStoreOptions): ResponseStore {
  const d = postgresDialect(schema);
  const sql = responseSql(d);
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle connection dropped by the server is reported here; the next query reconnects or fails loudly.
  pool.on('error', () => {});
  let closed = false;

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw responseStoreError('postgres', operation, error);
    }
  }

  return {
    description: `postgres (schema ${schema})`,
    migrate: () =>
      guarded('migrate', async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          // The ledger's migration lock: ledger and responses never migrate the same schema at once.
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`frugal_migrations:${schema}`]);
          const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
          if (existing.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
          await client.query(migrationsTableSql(d));
          const applied = await client.query<{ version: number }>(appliedVersionsSql(d));
          for (const migration of pendingMigrations(applied.rows.map((row) => row.version), RESPONSE_MIGRATIONS)) {
            for (const text of migration.statements(d)) await client.query(text);
            await client.query(recordMigrationSql(d), [migration.version, migration.name, now()]);
          }
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          client.release();
        }
      }),
    save: (stored) => guarded('save', async () => void (await pool.query(sql.upsert, encodeResponse(stored)))),
    replace: (stored) => guarded('replace', async () => ((await pool.query(sql.replace, encodeReplacement(stored))).rowCount ?? 0) > 0),
    get: (id, owner) =>
      guarded('get', async () => {
        const result = await pool.query(sql.get, [id, ownerColumn(owner)]);
        const row = result.rows[0] as Record<string, unknown> | undefined;
        return row === undefined ? undefined : decodeResponse(row);
      }),
    delete: (id, owner) => guarded('delete', async () => ((await pool.query(sql.delete, [id, ownerColumn(owner)])).rowCount ?? 0) > 0),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
