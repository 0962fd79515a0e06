import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLedgerReaderConformance } from './ledger-reader.case.js';
import { createSqliteLedgerReader } from './sqlite-ledger-reader.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';

describeLedgerReaderConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frugal-reader-'));
  return {
    async open(name) {
      const path = join(dir, `${name}.sqlite`);
      const store = createSqliteLedgerStore({ path });
      await store.migrate();
      return { store, reader: createSqliteLedgerReader({ path }) };
    },
    cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
