import { describe } from 'vitest';
import { testSchemas } from '../../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../../testing/services.js';
import { openLearningStores } from './open-learning-stores.case.js';
import { describeScoredSampleReader } from './scored-sample-reader.case.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'postgres-scored-sample-reader tests');
const schemas = testSchemas('scored');

describe.skipIf(!reachable)('Postgres scored sample reader', () => {
  describeScoredSampleReader('postgres', async () => ({
    open: (name) => openLearningStores({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema: schemas.schemaOf(name) }),
    cleanUp: () => schemas.dropAll(),
  }));
});
