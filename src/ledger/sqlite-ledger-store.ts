import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteFile } from './open-sqlite-file.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow } from './ledger-row.js';
import { decodeLedgerRow, encodeLedgerRow, LEDGER_COLUMN_NAMES } from './ledger-row-codec.js';
import { LedgerRowsRefusedError, type LedgerStore, type ReportQuery, type ReportRow, type RowsQuery } from './ledger-store.js';
import { appliedVersionsSql, LEDGER_TABLE, migrationsTableSql, pendingMigrations, recordMigrationSql } from './migrations.js';
import { buildReportSql, buildRowsSql, shapeReport } from './report-sql.js';
import { sqliteDialect } from './sql-dialect.js';
import { rollupInsertSql } from './ledger-rollup.js';
import { failureReason, storeError } from '../errors/store-error.js';

export interface SqliteLedgerStoreOptions {
  /** The database file; missing parent directories are created. */
  path: string;
  /** How long to wait for another process's write lock, ms. */
  busyTimeoutMs?: number;
  now?: () => number;
}

function ledgerStoreError(operation: string, error: unknown): FrugalError {
  if (!(error instanceof FrugalError) && refusedData(error)) return new LedgerRowsRefusedError(`ledger (sqlite): ${operation} refused the data: ${failureReason(error)}`, error);
  return storeError('ledger (sqlite)', operation, error);
}

/** Errors about the values themselves (a type, a size, a constraint): the same rows fail on every retry. */
function refusedData(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/.test(code);
}

/** Keys per lookup: SQLite binds at most 32 766 parameters; this stays far below. */
const KEYS_PER_LOOKUP = 500;

/**
 * The embedded ledger: one SQLite file in WAL mode (readers such as `frugal report` never block the
 * gateway's writer). better-sqlite3 is synchronous, so a batch blocks the event loop while it commits —
 * one transaction per batch keeps that to one fsync per flush rather than one per row.
 *
 * @example
 * const store = createSqliteLedgerStore({ path: '.frugal/ledger.sqlite' });
 * await store.migrate();
 */
export function createSqliteLedgerStore({ path, busyTimeoutMs = 5_000, now = Date.now }: SqliteLedgerStoreOptions): LedgerStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = openSqliteFile(path, busyTimeoutMs);
  const d = sqliteDialect;
  // Prepared on first use: the table does not exist before migrate().
  let insertOne: Database.Statement | undefined;
  let rollupBatch: Database.Statement | undefined;
  const prepared = new Map<string, Database.Statement>();
  let closed = false;

  function statement(sql: string): Database.Statement {
    let found = prepared.get(sql);
    if (!found) {
      // Integers come back as bigint: a SUM past 2^53 must not be rounded on the way out.
      found = db.prepare(sql).safeIntegers(true);
      prepared.set(sql, found);
    }
    return found;
  }

  const insertBatch = db.transaction((encoded: unknown[][]) => {
    insertOne ??= db.prepare(
      `INSERT INTO ${d.table(LEDGER_TABLE)} (${LEDGER_COLUMN_NAMES.join(', ')}) VALUES (${LEDGER_COLUMN_NAMES.map(() => '?').join(', ')})`,
    );
    let first: number | bigint | undefined;
    let last: number | bigint = 0;
    for (const values of encoded) {
      last = insertOne.run(values).lastInsertRowid;
      first ??= last;
    }
    // The dashboard's hourly rollup, in the same transaction: it never disagrees with the rows.
    rollupBatch ??= db.prepare(rollupInsertSql(d, { source: d.table(LEDGER_TABLE), where: 'WHERE seq BETWEEN ? AND ?', accumulate: true }));
    if (first !== undefined) rollupBatch.run(first, last);
  });

  const migrateAll = db.transaction(() => {
    db.exec(migrationsTableSql(d));
    const applied = db.prepare(appliedVersionsSql(d)).pluck().all() as number[];
    const record = db.prepare(recordMigrationSql(d));
    for (const migration of pendingMigrations(applied)) {
      for (const sql of [...migration.statements(d), ...(migration.fill?.(d) ?? [])]) db.exec(sql);
      record.run(migration.version, migration.name, now());
    }
  });

  return {
    async migrate() {
      try {
        // IMMEDIATE takes the write lock before reading the applied versions, so a second process starting
        // at the same moment waits (busy timeout) and then finds nothing left to do.
        migrateAll.immediate();
      } catch (error) {
        throw ledgerStoreError('migrate', error);
      }
    },

    async insert(rows: LedgerRow[]) {
      if (rows.length === 0) return;
      // Encoding validates every row first, so a bad row rejects the batch before anything is written.
      const encoded = rows.map((row) => encodeLedgerRow(row, 'integer'));
      try {
        insertBatch(encoded);
      } catch (error) {
        throw ledgerStoreError('insert', error);
      }
    },

    async countStored(keys) {
      const counts = new Map<string, number>();
      try {
        for (let start = 0; start < keys.length; start += KEYS_PER_LOOKUP) {
          const chunk = keys.slice(start, start + KEYS_PER_LOOKUP);
          const ts = chunk.map((key) => key.ts);
          // The ts bounds let the ts index narrow the scan; ids are not indexed.
          const sql = `SELECT id, ts, COUNT(*) AS n FROM ${d.table(LEDGER_TABLE)} WHERE ts BETWEEN ? AND ? AND id IN (${chunk.map(() => '?').join(', ')}) GROUP BY id, ts`;
          const found = statement(sql).all([ts.reduce((a, b) => Math.min(a, b)), ts.reduce((a, b) => Math.max(a, b)), ...chunk.map((key) => key.id)]) as Array<{ id: string; ts: bigint; n: bigint }>;
          for (const row of found) counts.set(`${row.ts}:${row.id}`, Number(row.n));
        }
      } catch (error) {
        throw ledgerStoreError('countStored', error);
      }
      return keys.map((key) => counts.get(`${key.ts}:${key.id}`) ?? 0);
    },

    async report(query: ReportQuery): Promise<ReportRow[]> {
      const { sql, params } = buildReportSql(d, query);
      try {
        return shapeReport(query.by, statement(sql).all(params) as Array<Record<string, unknown>>, query.then);
      } catch (error) {
        throw ledgerStoreError('report', error);
      }
    },

    async rows(query: RowsQuery): Promise<LedgerRow[]> {
      const { sql, params } = buildRowsSql(d, query);
      try {
        return (statement(sql).all(params) as Array<Record<string, unknown>>).map(decodeLedgerRow);
      } catch (error) {
        throw ledgerStoreError('rows', error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
