import { join } from 'node:path';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerStore } from './ledger-store.js';
import { createPostgresLedgerStore } from './postgres-ledger-store.js';
import { createThreadedSqliteLedgerStore } from './threaded-sqlite-ledger-store.js';

export interface OpenLedgerStoreOptions {
  /** postgres:// or postgresql://; unset or empty means the embedded SQLite ledger. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema (default public); tests use one per run. */
  schema?: string;
}

/**
 * The configured ledger: Postgres when a database URL is given, else SQLite at `<dataDir>/ledger.sqlite`.
 *
 * @example
 * const store = openLedgerStore({ databaseUrl: process.env.DATABASE_URL, dataDir: './.frugal' });
 * await store.migrate();
 */
export function openLedgerStore({ databaseUrl, dataDir, schema }: OpenLedgerStoreOptions): LedgerStore {
  if (databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(databaseUrl)) {
      // The URL itself is not echoed: it usually carries a password.
      throw new FrugalError('config_invalid', 'the ledger database URL must start with postgres:// or postgresql://');
    }
    return createPostgresLedgerStore({ connectionString: databaseUrl, schema });
  }
  // Inserts on a worker thread: a flush's commit and fsync never stall requests (threaded-sqlite-ledger-store.ts).
  return createThreadedSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
}
