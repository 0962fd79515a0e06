import { join } from 'node:path';
import { FrugalError } from '../errors/frugal-error.js';
import { createMemoryResponseStore } from './memory-response-store.js';
import { createPostgresResponseStore } from './postgres-response-store.js';
import type { ResponseStore } from './response-store.js';
import { createSqliteResponseStore } from './sqlite-response-store.js';

export interface OpenResponseStoreOptions {
  /** The ledger's settings: with the ledger off, responses are kept in memory. */
  ledgerEnabled: boolean;
  /** postgres:// or postgresql://; unset or empty means the ledger's SQLite file. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema (the ledger's); tests use one per run. */
  schema?: string;
  /** Bound of the in-memory store. */
  maxInMemory?: number;
}

/**
 * The response store in the ledger's database (PostgreSQL when a URL is given, else `<dataDir>/ledger.sqlite`,
 * the choice openLedgerStore makes), or a bounded in-memory LRU when the ledger is disabled.
 *
 * @example
 * const responses = openResponseStore({ ledgerEnabled: true, databaseUrl: process.env.DATABASE_URL, dataDir: './.frugal' });
 * await responses.migrate();
 */
export function openResponseStore({ ledgerEnabled, databaseUrl, dataDir, schema, maxInMemory }: OpenResponseStoreOptions): ResponseStore {
  if (!ledgerEnabled) return createMemoryResponseStore({ maxResponses: maxInMemory });
  if (databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(databaseUrl)) {
      // The URL itself is not echoed: it usually carries a password.
      throw new FrugalError('config_invalid', 'the response store database URL must start with postgres:// or postgresql://');
    }
    return createPostgresResponseStore({ connectionString: databaseUrl, schema });
  }
  return createSqliteResponseStore({ path: join(dataDir, 'ledger.sqlite') });
}
