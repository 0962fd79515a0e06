import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { describeTrainFromLedger } from './router-train-from-ledger.case.js';

describeTrainFromLedger('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-train-sqlite-'));
  return { where: async (name) => ({ dataDir: join(dir, name) }), cleanUp: () => rm(dir, { recursive: true, force: true }) };
});

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'router train --from-ledger on PostgreSQL');
const schemas = testSchemas('train');
describe.skipIf(!reachable)('on PostgreSQL', () => {
  describeTrainFromLedger('postgres', async () => ({
    where: async (name) => ({ databaseUrl: TEST_DATABASE_URL, schema: schemas.schemaOf(name) }),
    cleanUp: () => schemas.dropAll(),
  }));
});
