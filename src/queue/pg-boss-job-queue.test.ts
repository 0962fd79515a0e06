import { describe } from 'vitest';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { describeJobQueueConformance } from './job-queue.case.js';
import { createPgBossJobQueue } from './pg-boss-job-queue.js';
import type { AbandonableJobQueue } from './sqlite-job-queue.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'pg-boss job queue tests');

describe.skipIf(!reachable)('createPgBossJobQueue', () => {
  describeJobQueueConformance('pg-boss', async () => {
    const schemas = testSchemas('q');
    const schema = schemas.schemaOf('boss');
    const leaseMs = 1_000;
    return {
      leaseMs,
      open: () => createPgBossJobQueue({ connectionString: TEST_DATABASE_URL, schema, leaseMs, pollMs: 100, retryDelayMs: 0, maxConnections: 3 }),
      crash: (queue) => (queue as AbandonableJobQueue).abandon(),
      cleanUp: () => schemas.dropAll(),
    };
  });
});
