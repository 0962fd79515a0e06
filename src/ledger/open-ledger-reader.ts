import { join } from 'node:path';
import type { LedgerReader } from './ledger-reader.js';
import type { OpenLedgerStoreOptions } from './open-ledger-store.js';
import { createPostgresLedgerReader } from './postgres-ledger-reader.js';
import { createSqliteLedgerReader } from './sqlite-ledger-reader.js';

/**
 * The dashboard's reader of the configured ledger (the same place openLedgerStore writes; migrate that first).
 *
 * @example
 * const reader = openLedgerReader({ databaseUrl: process.env.DATABASE_URL, dataDir: './.frugal' });
 */
export function openLedgerReader({ databaseUrl, dataDir, schema }: OpenLedgerStoreOptions): LedgerReader {
  if (databaseUrl) return createPostgresLedgerReader({ connectionString: databaseUrl, schema });
  return createSqliteLedgerReader({ path: join(dataDir, 'ledger.sqlite') });
}
