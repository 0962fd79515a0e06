import pg from 'pg';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow } from './ledger-row.js';
import { decodeLedgerRow, encodeLedgerRow, LEDGER_COLUMN_NAMES } from './ledger-row-codec.js';
import { LedgerRowsRefusedError, type LedgerStore, type ReportQuery, type ReportRow, type RowsQuery } from './ledger-store.js';
import { appliedVersionsSql, LEDGER_TABLE, migrationsTableSql, pendingMigrations, recordMigrationSql } from './migrations.js';
import { buildReportSql, buildRowsSql, shapeReport } from './report-sql.js';
import { postgresDialect } from './sql-dialect.js';
import { rollupInsertSql } from './ledger-rollup.js';
import { failureReason, storeError } from '../errors/store-error.js';

export interface PostgresLedgerStoreOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /** Where the tables live (created if missing). Tests use one per run to stay apart. */
  schema?: string;
  maxConnections?: number;
  now?: () => number;
}

/** Postgres accepts at most 65 535 bind parameters per statement. */
const MAX_PARAMS = 65_535;
const ROWS_PER_STATEMENT = Math.floor(MAX_PARAMS / LEDGER_COLUMN_NAMES.length);

function ledgerStoreError(operation: string, error: unknown): FrugalError {
  if (!(error instanceof FrugalError) && refusedData(error)) return new LedgerRowsRefusedError(`ledger (postgres): ${operation} refused the data: ${failureReason(error)}`, error);
  return storeError('ledger (postgres)', operation, error);
}

/**
 * Errors about the values themselves, whatever the connection: SQLSTATE class 22 (data exception, e.g. 22021
 * for a NUL byte), 23 (integrity) and 54 (a limit, e.g. an index entry too large), and the driver refusing a
 * value before sending it. A dropped connection or a server restart stays retryable.
 */
function refusedData(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/**
 * The shared ledger for several gateway instances. Costs are BIGINT nano-dollars; sums come back as
 * NUMERIC text and are read as bigint, never as float.
 *
 * @example
 * const store = createPostgresLedgerStore({ connectionString: process.env.DATABASE_URL! });
 * await store.migrate();
 */
export function createPostgresLedgerStore({ connectionString, schema = 'public', maxConnections = 4, now = Date.now }: PostgresLedgerStoreOptions): LedgerStore {
  const d = postgresDialect(schema);
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle connection dropped by the server (restart, failover) is emitted here; without a listener it
  // would crash the gateway. The next query opens a new connection and reports any lasting failure.
  pool.on('error', () => {});
  const table = d.table(LEDGER_TABLE);
  let closed = false;

  function insertSql(rowCount: number): string {
    const width = LEDGER_COLUMN_NAMES.length;
    const tuples = Array.from({ length: rowCount }, (_, row) => `(${LEDGER_COLUMN_NAMES.map((_, column) => d.param(row * width + column + 1)).join(', ')})`);
    const rows = `INSERT INTO ${table} (${LEDGER_COLUMN_NAMES.join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`;
    // The dashboard's hourly rollup in the same statement: it never disagrees with the rows.
    return `WITH inserted AS (${rows}) ${rollupInsertSql(d, { source: 'inserted', accumulate: true })}`;
  }

  async function inTransaction(work: (client: pg.PoolClient) => Promise<void>) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    async migrate() {
      try {
        await inTransaction(async (client) => {
          // Held until COMMIT: a second process starting at once waits here, then finds nothing to do.
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`frugal_migrations:${schema}`]);
          // Checked first because CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege.
          const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
          if (existing.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
          await client.query(migrationsTableSql(d));
          const applied = await client.query<{ version: number }>(appliedVersionsSql(d));
          for (const migration of pendingMigrations(applied.rows.map((row) => row.version))) {
            for (const sql of [...migration.statements(d), ...(migration.fill?.(d) ?? [])]) await client.query(sql);
            await client.query(recordMigrationSql(d), [migration.version, migration.name, now()]);
          }
        });
      } catch (error) {
        throw ledgerStoreError('migrate', error);
      }
    },

    async insert(rows: LedgerRow[]) {
      if (rows.length === 0) return;
      const encoded = rows.map((row) => encodeLedgerRow(row, 'native'));
      try {
        if (encoded.length <= ROWS_PER_STATEMENT) {
          await pool.query(insertSql(encoded.length), encoded.flat());
          return;
        }
        await inTransaction(async (client) => {
          for (let start = 0; start < encoded.length; start += ROWS_PER_STATEMENT) {
            const chunk = encoded.slice(start, start + ROWS_PER_STATEMENT);
            await client.query(insertSql(chunk.length), chunk.flat());
          }
        });
      } catch (error) {
        throw ledgerStoreError('insert', error);
      }
    },

    async countStored(keys) {
      if (keys.length === 0) return [];
      const ts = keys.map((key) => key.ts);
      try {
        // One query whatever the count: the ids travel as one array parameter; the ts bounds use the ts index.
        const result = await pool.query<{ id: string; ts: string; n: string }>(
          `SELECT id, ts, COUNT(*) AS n FROM ${table} WHERE ts BETWEEN $1 AND $2 AND id = ANY($3::text[]) GROUP BY id, ts`,
          [ts.reduce((a, b) => Math.min(a, b)), ts.reduce((a, b) => Math.max(a, b)), [...new Set(keys.map((key) => key.id))]],
        );
        const counts = new Map(result.rows.map((row) => [`${row.ts}:${row.id}`, Number(row.n)]));
        return keys.map((key) => counts.get(`${key.ts}:${key.id}`) ?? 0);
      } catch (error) {
        throw ledgerStoreError('countStored', error);
      }
    },

    async report(query: ReportQuery): Promise<ReportRow[]> {
      const { sql, params } = buildReportSql(d, query);
      try {
        const result = await pool.query(sql, params);
        return shapeReport(query.by, result.rows as Array<Record<string, unknown>>, query.then);
      } catch (error) {
        throw ledgerStoreError('report', error);
      }
    },

    async rows(query: RowsQuery): Promise<LedgerRow[]> {
      const { sql, params } = buildRowsSql(d, query);
      try {
        const result = await pool.query(sql, params);
        return (result.rows as Array<Record<string, unknown>>).map(decodeLedgerRow);
      } catch (error) {
        throw ledgerStoreError('rows', error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
