import pg from 'pg';
import { FrugalError } from '../errors/frugal-error.js';
import { storeError } from '../errors/store-error.js';
import { type LedgerReader, shapeRollupReport } from './ledger-reader.js';
import { rebuildRollupSql, ROLLUP_TABLE } from './ledger-rollup.js';
import { decodeLedgerRow } from './ledger-row-codec.js';
import { LEDGER_TABLE } from './migrations.js';
import { buildLatestRowsSql, buildRollupReportSql } from './rollup-report-sql.js';
import { postgresDialect } from './sql-dialect.js';

export interface PostgresLedgerReaderOptions {
  connectionString: string;
  schema?: string;
  maxConnections?: number;
}

/**
 * The dashboard's reads of the PostgreSQL ledger, on a small pool of their own.
 *
 * @example
 * const reader = createPostgresLedgerReader({ connectionString: process.env.DATABASE_URL! });
 */
export function createPostgresLedgerReader({ connectionString, schema = 'public', maxConnections = 2 }: PostgresLedgerReaderOptions): LedgerReader {
  const d = postgresDialect(schema);
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle connection the server dropped must not crash the gateway; the next query reconnects.
  pool.on('error', () => {});
  const fail = (operation: string, error: unknown) => (error instanceof FrugalError ? error : storeError('ledger reader (postgres)', operation, error));
  let closed = false;

  return {
    async report(query) {
      const { sql, params } = buildRollupReportSql(d, query);
      try {
        return shapeRollupReport(query, (await pool.query(sql, params)).rows as Array<Record<string, unknown>>);
      } catch (error) {
        throw fail('report', error);
      }
    },
    async latest(query) {
      const { sql, params } = buildLatestRowsSql(d, query);
      try {
        return ((await pool.query(sql, params)).rows as Array<Record<string, unknown>>).map(decodeLedgerRow);
      } catch (error) {
        throw fail('latest', error);
      }
    },
    async rebuildRollup() {
      const client = await pool.connect().catch((error: unknown) => {
        throw fail('rebuildRollup', error);
      });
      try {
        await client.query('BEGIN');
        // SHARE mode stops writers (their INSERT needs ROW EXCLUSIVE) until COMMIT: no batch lands half-counted.
        await client.query(`LOCK TABLE ${d.table(LEDGER_TABLE)} IN SHARE MODE`);
        for (const sql of rebuildRollupSql(d, LEDGER_TABLE)) await client.query(sql);
        const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${d.table(ROLLUP_TABLE)}`);
        await client.query('COMMIT');
        return { groups: Number(rows[0].n) };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw fail('rebuildRollup', error);
      } finally {
        client.release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
