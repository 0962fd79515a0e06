import { join } from 'node:path';
import { FrugalError } from '../errors/frugal-error.js';
import { createPostgresSqlClient } from '../keys/postgres-sql-client.js';
import { createSqliteSqlClient } from '../keys/sqlite-sql-client.js';
import type { SampleStore } from './sample-store.js';
import { createSqlSampleStore } from './sql-sample-store.js';

export interface OpenSampleStoreOptions {
  /** postgres:// or postgresql://; unset or empty means the ledger's SQLite file. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema (the ledger's); tests use one per run. */
  schema?: string;
}

/**
 * The sample store in the ledger's database (the choice openLedgerStore makes), beside the rows and scores it
 * is joined with.
 *
 * @example
 * const samples = openSampleStore({ databaseUrl: process.env.DATABASE_URL, dataDir: './.frugal' });
 */
export function openSampleStore({ databaseUrl, dataDir, schema }: OpenSampleStoreOptions): SampleStore {
  if (databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(databaseUrl)) {
      // The URL itself is not echoed: it usually carries a password.
      throw new FrugalError('config_invalid', 'the sample store database URL must start with postgres:// or postgresql://');
    }
    return createSqlSampleStore(createPostgresSqlClient({ connectionString: databaseUrl, schema }));
  }
  return createSqlSampleStore(createSqliteSqlClient({ path: join(dataDir, 'ledger.sqlite') }));
}
