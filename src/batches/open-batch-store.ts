import { join } from 'node:path';
import { FrugalError } from '../errors/frugal-error.js';
import type { BatchStore } from './batch-store.js';
import { createPostgresBatchStore } from './postgres-batch-store.js';
import { createSqliteBatchStore } from './sqlite-batch-store.js';

/**
 * The batch store in the ledger's database: PostgreSQL when a URL is given (file bytes in the database), else
 * `<dataDir>/ledger.sqlite` with file bytes under `<dataDir>/files/`.
 */
export function openBatchStore({ databaseUrl, dataDir, schema }: { databaseUrl?: string; dataDir: string; schema?: string }): BatchStore {
  if (databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(databaseUrl)) throw new FrugalError('config_invalid', 'the batch store database URL must start with postgres:// or postgresql://');
    return createPostgresBatchStore({ connectionString: databaseUrl, schema });
  }
  return createSqliteBatchStore({ path: join(dataDir, 'ledger.sqlite') });
}
