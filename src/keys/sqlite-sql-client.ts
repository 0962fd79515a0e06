import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteFile } from '../ledger/open-sqlite-file.js';
import { sqliteDialect } from '../ledger/sql-dialect.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import type { SqlClient, SqlValue } from './sql-client.js';

export interface SqliteSqlClientOptions {
  /** The ledger's database file; missing parent directories are created. */
  path: string;
  /** How long to wait for another process's write lock (the gateway's ledger writer), ms. */
  busyTimeoutMs?: number;
}

// better-sqlite3 refuses JS booleans; a STRICT INTEGER column takes 0/1.
function bind(params: readonly SqlValue[]): Array<string | number | null> {
  return params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
}

/** SqlClient over better-sqlite3. Calls are synchronous underneath; key queries touch one small table. */
export function createSqliteSqlClient({ path, busyTimeoutMs = 5_000 }: SqliteSqlClientOptions): SqlClient {
  mkdirSync(dirname(path), { recursive: true });
  const db = openSqliteFile(path, busyTimeoutMs);
  const prepared = new Map<string, Database.Statement>();
  let closed = false;

  function statement(sql: string): Database.Statement {
    let found = prepared.get(sql);
    if (!found) {
      found = db.prepare(sql);
      prepared.set(sql, found);
    }
    return found;
  }

  return {
    dialect: sqliteDialect,
    async all(sql, params = []) {
      return statement(sql).all(bind(params)) as Array<Record<string, unknown>>;
    },
    async run(sql, params = []) {
      return statement(sql).run(bind(params)).changes;
    },
    async migrate() {
      // The ledger store owns the migration runner (with its write-lock handling); reuse it on the same file.
      const ledger = createSqliteLedgerStore({ path, busyTimeoutMs });
      try {
        await ledger.migrate();
      } finally {
        await ledger.close();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
