import { join } from 'node:path';
import { FrugalError } from '../errors/frugal-error.js';
import { createPostgresSqlClient } from '../keys/postgres-sql-client.js';
import { createSqliteSqlClient } from '../keys/sqlite-sql-client.js';
import type { FeedbackStore } from './feedback-store.js';
import { createSqlFeedbackStore, type SqlFeedbackStoreOptions } from './sql-feedback-store.js';

export interface OpenFeedbackStoreOptions extends SqlFeedbackStoreOptions {
  /** postgres:// or postgresql://; unset or empty means the ledger's SQLite file. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema (the ledger's); tests use one per run. */
  schema?: string;
}

/**
 * The feedback store in the ledger's database: Postgres when a URL is given, else `<dataDir>/ledger.sqlite`
 * (the choice openLedgerStore makes): scores sit beside the rows they score, so reports can join them.
 *
 * @example
 * const feedback = openFeedbackStore({ databaseUrl: process.env.DATABASE_URL, dataDir: './.frugal' });
 * await feedback.migrate();
 */
export function openFeedbackStore({ databaseUrl, dataDir, schema, ...options }: OpenFeedbackStoreOptions): FeedbackStore {
  if (databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(databaseUrl)) {
      // The URL itself is not echoed: it usually carries a password.
      throw new FrugalError('config_invalid', 'the feedback store database URL must start with postgres:// or postgresql://');
    }
    return createSqlFeedbackStore(createPostgresSqlClient({ connectionString: databaseUrl, schema }), options);
  }
  return createSqlFeedbackStore(createSqliteSqlClient({ path: join(dataDir, 'ledger.sqlite') }), options);
}
