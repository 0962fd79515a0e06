import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { openSqliteFile } from '../ledger/open-sqlite-file.js';
import { appliedVersionsSql, migrationsTableSql, pendingMigrations, recordMigrationSql } from '../ledger/migrations.js';
import { sqliteDialect } from '../ledger/sql-dialect.js';
import { BATCH_MIGRATIONS } from './batch-migrations.js';
import type { BatchStore } from './batch-store.js';
import { createSqlBatchStore, type BatchSql, type FileBytes, type SqlParam } from './sql-batch-store.js';
import { limitBytes } from './limit-bytes.js';

export interface SqliteBatchStoreOptions {
  /** The ledger's database file: batch state sits beside the ledger. */
  path: string;
  /** Where file bytes go (default: `files/` beside the database). */
  filesDir?: string;
  busyTimeoutMs?: number;
}

/**
 * Files and batches in the embedded SQLite file, file bytes under the data dir. A file is written to a temporary
 * name and renamed when complete, so a crash mid-upload never leaves a partial file under a real id.
 *
 * @example
 * const store = createSqliteBatchStore({ path: '.frugal/ledger.sqlite' });
 * await store.migrate();
 */
export function createSqliteBatchStore({ path, filesDir = join(dirname(path), 'files'), busyTimeoutMs = 5_000 }: SqliteBatchStoreOptions): BatchStore {
  mkdirSync(dirname(path), { recursive: true });
  mkdirSync(filesDir, { recursive: true });
  const db = openSqliteFile(path, busyTimeoutMs);
  // Each line is claimed and completed in its own write: with FULL every one would fsync on the event loop. WAL +
  // NORMAL loses nothing when the process is killed (kill -9); only a power cut can drop the last commits.
  db.pragma('synchronous = NORMAL');
  const prepared = new Map<string, Database.Statement>();
  const statement = (text: string) => {
    let found = prepared.get(text);
    if (!found) prepared.set(text, (found = db.prepare(text)));
    return found;
  };
  let closed = false;
  const runAll = db.transaction((statements: ReadonlyArray<readonly [string, readonly SqlParam[]]>) => {
    for (const [text, params] of statements) statement(text).run(...params);
  });
  const migrateAll = db.transaction(() => {
    db.exec(migrationsTableSql(sqliteDialect));
    const applied = (db.prepare(appliedVersionsSql(sqliteDialect)).all() as Array<{ version: number }>).map((row) => row.version);
    const record = db.prepare(recordMigrationSql(sqliteDialect));
    for (const migration of pendingMigrations(applied, BATCH_MIGRATIONS)) {
      for (const text of migration.statements(sqliteDialect)) db.exec(text);
      record.run(migration.version, migration.name, Date.now());
    }
  });

  const sql: BatchSql = {
    dialect: sqliteDialect,
    all: async (text, params = []) => statement(text).all(...params) as Array<Record<string, unknown>>,
    run: async (text, params = []) => statement(text).run(...params).changes,
    atomically: async (statements) => void runAll.immediate(statements),
  };
  const fileOf = (id: string) => join(filesDir, `${id}.jsonl`);
  const bytes: FileBytes = {
    async write(id, content, maxBytes) {
      // A name of its own per write: two writers of one result file (two finalisers) must not interleave their bytes.
      const partial = `${fileOf(id)}.${randomUUID()}.partial`;
      const counter = limitBytes(maxBytes);
      try {
        await pipeline(content, counter.transform, createWriteStream(partial));
        await rename(partial, fileOf(id));
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return counter.count();
    },
    async *read(id) {
      for await (const chunk of createReadStream(fileOf(id), { highWaterMark: 1 << 20 })) yield chunk as Buffer;
    },
    remove: (id) => rm(fileOf(id), { force: true }),
  };
  return createSqlBatchStore(sql, bytes, {
    description: `sqlite (${path})`,
    // IMMEDIATE: two processes migrating the same file run one after the other.
    migrate: async () => void migrateAll.immediate(),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  });
}
