import { describe } from 'vitest';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { describeLedgerReaderConformance } from './ledger-reader.case.js';
import { createPostgresLedgerReader } from './postgres-ledger-reader.js';
import { createPostgresLedgerStore } from './postgres-ledger-store.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'postgres-ledger-reader tests');

describe.skipIf(!reachable)('createPostgresLedgerReader', () => {
  describeLedgerReaderConformance('postgres', async () => {
    const schemas = testSchemas('reader');
    return {
      async open(name) {
        const schema = schemas.schemaOf(name);
        const store = createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema });
        await store.migrate();
        return { store, reader: createPostgresLedgerReader({ connectionString: TEST_DATABASE_URL, schema }) };
      },
      cleanUp: () => schemas.dropAll(),
    };
  });
});
