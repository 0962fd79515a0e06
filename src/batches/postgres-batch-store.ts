import pg from 'pg';
import { appliedVersionsSql, migrationsTableSql, pendingMigrations, recordMigrationSql } from '../ledger/migrations.js';
import { postgresDialect } from '../ledger/sql-dialect.js';
import { BATCH_MIGRATIONS, FILE_CHUNKS_TABLE } from './batch-migrations.js';
import type { BatchStore } from './batch-store.js';
import { TooLargeError } from './limit-bytes.js';
import { createSqlBatchStore, type BatchSql, type FileBytes } from './sql-batch-store.js';

export interface PostgresBatchStoreOptions {
  connectionString: string;
  /** The ledger's schema (created if missing). */
  schema?: string;
  maxConnections?: number;
}

/** Bytes per stored chunk: large enough to keep row counts low, small enough to stream a 200 MB file. */
const CHUNK_BYTES = 1 << 20;

/**
 * Files and batches in PostgreSQL, file bytes included (bytea chunks of 1 MiB): several instances share them with
 * no object storage. A file is written in one transaction, so a failed upload leaves nothing behind.
 *
 * @example
 * const store = createPostgresBatchStore({ connectionString: process.env.DATABASE_URL! });
 * await store.migrate();
 */
export function createPostgresBatchStore({ connectionString, schema = 'public', maxConnections = 4 }: PostgresBatchStoreOptions): BatchStore {
  const d = postgresDialect(schema);
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  pool.on('error', () => {});
  const chunks = d.table(FILE_CHUNKS_TABLE);
  let closed = false;

  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const sql: BatchSql = {
    dialect: d,
    all: async (text, params = []) => (await pool.query(text, [...params])).rows as Array<Record<string, unknown>>,
    run: async (text, params = []) => (await pool.query(text, [...params])).rowCount ?? 0,
    atomically: (statements) =>
      inTransaction(async (client) => {
        for (const [text, params] of statements) await client.query(text, [...params]);
      }),
  };

  const bytes: FileBytes = {
    write: (id, content, maxBytes) =>
      inTransaction(async (client) => {
        let size = 0;
        let n = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          if (pendingBytes === 0) return;
          await client.query(`INSERT INTO ${chunks} (file_id, n, data) VALUES ($1, $2, $3)`, [id, n, Buffer.concat(pending, pendingBytes)]);
          n += 1;
          pending = [];
          pendingBytes = 0;
        };
        for await (const part of content) {
          size += part.length;
          if (size > maxBytes) throw new TooLargeError(maxBytes);
          pending.push(Buffer.from(part));
          pendingBytes += part.length;
          if (pendingBytes >= CHUNK_BYTES) await flush();
        }
        await flush();
        return size;
      }),
    async *read(id) {
      for (let n = 0; ; n += 1) {
        const { rows } = await pool.query<{ data: Buffer }>(`SELECT data FROM ${chunks} WHERE file_id = $1 AND n = $2`, [id, n]);
        if (rows.length === 0) return;
        yield rows[0].data;
      }
    },
    remove: async (id) => void (await pool.query(`DELETE FROM ${chunks} WHERE file_id = $1`, [id])),
  };

  return createSqlBatchStore(sql, bytes, {
    description: `postgres (schema ${schema})`,
    migrate: () =>
      inTransaction(async (client) => {
        // The ledger's migration lock: ledger, responses and batches never migrate one schema at once.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`frugal_migrations:${schema}`]);
        const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
        if (existing.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
        await client.query(migrationsTableSql(d));
        const applied = await client.query<{ version: number }>(appliedVersionsSql(d));
        for (const migration of pendingMigrations(applied.rows.map((row) => row.version), BATCH_MIGRATIONS)) {
          for (const text of migration.statements(d)) await client.query(text);
          await client.query(recordMigrationSql(d), [migration.version, migration.name, Date.now()]);
        }
      }),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  });
}
