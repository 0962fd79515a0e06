import { describe } from 'vitest';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { describeSampleStoreConformance } from './sample-store.case.js';
import { openSampleStore } from './open-sample-store.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'postgres-sample-store tests');
const schemas = testSchemas('samples');

describe.skipIf(!reachable)('Postgres sample store', () => {
  describeSampleStoreConformance('postgres', async () => ({
    open: (name) => ({
      samples: openSampleStore({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema: schemas.schemaOf(name) }),
      feedback: openFeedbackStore({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema: schemas.schemaOf(name) }),
    }),
    cleanUp: () => schemas.dropAll(),
  }));
});
