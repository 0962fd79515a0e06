import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteFile } from '../ledger/open-sqlite-file.js';
import { appliedVersionsSql, migrationsTableSql, pendingMigrations, recordMigrationSql } from '../ledger/migrations.js';
import { sqliteDialect } from '../ledger/sql-dialect.js';
import { RESPONSE_MIGRATIONS } from './response-migrations.js';
import { decodeResponse, encodeReplacement, encodeResponse, responseSql, responseStoreError } from './response-sql.js';
import { ownerColumn, type ResponseStore } from './response-store.js';

export interface SqliteResponseStoreOptions {
  /** The ledger's database file (responses sit beside the ledger); missing parent directories are created. */
  path: string;
  /** How long to wait for another writer's lock (the ledger writer), ms. */
  busyTimeoutMs?: number;
  now?: () => number;
}

/**
 * Stored responses in the embedded SQLite file. better-sqlite3 is synchronous; each call touches one row by
 * its primary key, so the event loop is held for a single indexed read or write.
 *
 * @example
 * const store = createSqliteResponseStore({ path: '.frugal/ledger.sqlite' });
 * await store.migrate();
 */
export function createSqliteResponseStore({ path, busyTimeoutMs = 5_000, now = Date.now }: SqliteResponseStoreOptions): ResponseStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = openSqliteFile(path, busyTimeoutMs);
  const d = sqliteDialect;
  const sql = responseSql(d);
  const prepared = new Map<string, Database.Statement>();
  let closed = false;
  // Prepared on first use: the table does not exist before migrate().
  const statement = (text: string) => {
    let found = prepared.get(text);
    if (!found) prepared.set(text, (found = db.prepare(text)));
    return found;
  };
  const migrateAll = db.transaction(() => {
    db.exec(migrationsTableSql(d));
    const applied = (db.prepare(appliedVersionsSql(d)).all() as Array<{ version: number }>).map((row) => row.version);
    const record = db.prepare(recordMigrationSql(d));
    for (const migration of pendingMigrations(applied, RESPONSE_MIGRATIONS)) {
      for (const text of migration.statements(d)) db.exec(text);
      record.run(migration.version, migration.name, now());
    }
  });

  function guarded<T>(operation: string, work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(responseStoreError('sqlite', operation, error));
    }
  }

  return {
    description: `sqlite (${path})`,
    // IMMEDIATE takes the write lock first, so two processes migrating at once run one after the other.
    migrate: () => guarded('migrate', () => migrateAll.immediate()),
    save: (stored) => guarded('save', () => void statement(sql.upsert).run(encodeResponse(stored))),
    replace: (stored) => guarded('replace', () => statement(sql.replace).run(encodeReplacement(stored)).changes > 0),
    get: (id, owner) =>
      guarded('get', () => {
        const row = statement(sql.get).get(id, ownerColumn(owner)) as Record<string, unknown> | undefined;
        return row === undefined ? undefined : decodeResponse(row);
      }),
    delete: (id, owner) => guarded('delete', () => statement(sql.delete).run(id, ownerColumn(owner)).changes > 0),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
