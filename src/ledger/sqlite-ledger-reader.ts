import Database from 'better-sqlite3';
import { FrugalError } from '../errors/frugal-error.js';
import { storeError } from '../errors/store-error.js';
import { type LedgerReader, shapeRollupReport } from './ledger-reader.js';
import { rebuildRollupSql, ROLLUP_TABLE } from './ledger-rollup.js';
import { decodeLedgerRow } from './ledger-row-codec.js';
import { LEDGER_TABLE } from './migrations.js';
import { buildLatestRowsSql, buildRollupReportSql } from './rollup-report-sql.js';
import { sqliteDialect } from './sql-dialect.js';

export interface SqliteLedgerReaderOptions {
  /** The ledger file (already migrated by the gateway or `frugal report`). */
  path: string;
  busyTimeoutMs?: number;
}

/**
 * The dashboard's reads of the embedded ledger on a connection of their own: in WAL mode they never wait for
 * the gateway's writer, nor it for them.
 *
 * @example
 * const reader = createSqliteLedgerReader({ path: '.frugal/ledger.sqlite' });
 * const byModel = await reader.report({ by: 'model', since: Date.now() - 86_400_000 });
 */
export function createSqliteLedgerReader({ path, busyTimeoutMs = 5_000 }: SqliteLedgerReaderOptions): LedgerReader {
  const db = new Database(path, { timeout: busyTimeoutMs, fileMustExist: true });
  const d = sqliteDialect;
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (!found) {
      // Sums past 2^53 must not be rounded on the way out.
      found = db.prepare(sql).safeIntegers(true);
      prepared.set(sql, found);
    }
    return found;
  };
  const rebuild = db.transaction(() => {
    for (const sql of rebuildRollupSql(d, LEDGER_TABLE)) db.exec(sql);
    return Number(db.prepare(`SELECT COUNT(*) FROM ${d.table(ROLLUP_TABLE)}`).pluck().get());
  });
  const fail = (operation: string, error: unknown) => (error instanceof FrugalError ? error : storeError('ledger reader (sqlite)', operation, error));

  return {
    async report(query) {
      const { sql, params } = buildRollupReportSql(d, query);
      try {
        return shapeRollupReport(query, statement(sql).all(params) as Array<Record<string, unknown>>);
      } catch (error) {
        throw fail('report', error);
      }
    },
    async latest(query) {
      const { sql, params } = buildLatestRowsSql(d, query);
      try {
        return (statement(sql).all(params) as Array<Record<string, unknown>>).map(decodeLedgerRow);
      } catch (error) {
        throw fail('latest', error);
      }
    },
    async rebuildRollup() {
      try {
        // IMMEDIATE: the writer waits for the rebuild, so no batch lands between the DELETE and the INSERT.
        return { groups: rebuild.immediate() };
      } catch (error) {
        throw fail('rebuildRollup', error);
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
