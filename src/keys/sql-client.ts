import type { SqlDialect } from '../ledger/sql-dialect.js';

export type SqlValue = string | number | boolean | null;

/**
 * The little the key store needs from a database, so its logic is written once over SQLite and Postgres.
 * SQL is written with the dialect's placeholders; values are bound, never spliced.
 */
export interface SqlClient {
  readonly dialect: SqlDialect;
  /** Rows of a SELECT, as the driver returns them (Postgres BIGINT comes back as text). */
  all(sql: string, params?: readonly SqlValue[]): Promise<Array<Record<string, unknown>>>;
  /** Runs an INSERT/UPDATE/DELETE; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Applies the shared migration list (ledger and keys) with the ledger's own runner and locking. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
