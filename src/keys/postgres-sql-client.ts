import pg from 'pg';
import { createPostgresLedgerStore } from '../ledger/postgres-ledger-store.js';
import { postgresDialect } from '../ledger/sql-dialect.js';
import type { SqlClient } from './sql-client.js';

export interface PostgresSqlClientOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /** The ledger's schema: keys live beside the ledger. */
  schema?: string;
  maxConnections?: number;
}

/** SqlClient over a pg pool. */
export function createPostgresSqlClient({ connectionString, schema = 'public', maxConnections = 2 }: PostgresSqlClientOptions): SqlClient {
  const dialect = postgresDialect(schema);
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle connection dropped by the server is reported here; the next query reconnects or fails loudly.
  pool.on('error', () => {});
  let closed = false;

  return {
    dialect,
    async all(sql, params = []) {
      const result = await pool.query(sql, [...params]);
      return result.rows as Array<Record<string, unknown>>;
    },
    async run(sql, params = []) {
      const result = await pool.query(sql, [...params]);
      return result.rowCount ?? 0;
    },
    async migrate() {
      // The ledger store owns the migration runner (advisory lock, schema creation); reuse it on the same schema.
      const ledger = createPostgresLedgerStore({ connectionString, schema, maxConnections: 1 });
      try {
        await ledger.migrate();
      } finally {
        await ledger.close();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
