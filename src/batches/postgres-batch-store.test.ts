import { describe } from 'vitest';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { describeBatchStoreConformance } from './batch-store.case.js';
import { createPostgresBatchStore } from './postgres-batch-store.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'postgres-batch-store tests');

describe.skipIf(!reachable)('createPostgresBatchStore', () => {
  const schemas = testSchemas('batches');
  describeBatchStoreConformance('postgres', async () => ({
    open: (name) => createPostgresBatchStore({ connectionString: TEST_DATABASE_URL, schema: schemas.schemaOf(name) }),
    cleanUp: () => schemas.dropAll(),
  }));
});
