import { join } from 'node:path';
import { FrugalError } from '../errors/frugal-error.js';
import type { KeyStore } from './key-store.js';
import { createPostgresSqlClient } from './postgres-sql-client.js';
import { createSqlKeyStore, type SqlKeyStoreOptions } from './sql-key-store.js';
import { createSqliteSqlClient } from './sqlite-sql-client.js';

export interface OpenKeyStoreOptions extends SqlKeyStoreOptions {
  /** postgres:// or postgresql://; unset or empty means the embedded SQLite file. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema (the ledger's); tests use one per run. */
  schema?: string;
}

/**
 * The key store in the ledger's database: Postgres when a URL is given, else `<dataDir>/ledger.sqlite`
 * (the same choice openLedgerStore makes, so keys and spend always sit together).
 *
 * @example
 * const keys = openKeyStore({ databaseUrl: process.env.DATABASE_URL, dataDir: './.frugal' });
 * await keys.migrate();
 */
export function openKeyStore({ databaseUrl, dataDir, schema, ...options }: OpenKeyStoreOptions): KeyStore {
  if (databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(databaseUrl)) {
      // The URL itself is not echoed: it usually carries a password.
      throw new FrugalError('config_invalid', 'the key store database URL must start with postgres:// or postgresql://');
    }
    return createSqlKeyStore(createPostgresSqlClient({ connectionString: databaseUrl, schema }), options);
  }
  return createSqlKeyStore(createSqliteSqlClient({ path: join(dataDir, 'ledger.sqlite') }), options);
}
