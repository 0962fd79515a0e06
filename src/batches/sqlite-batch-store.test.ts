import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBatchStoreConformance } from './batch-store.case.js';
import { createSqliteBatchStore } from './sqlite-batch-store.js';

describeBatchStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-batches-'));
  return {
    open: (name) => createSqliteBatchStore({ path: join(dir, name, 'ledger.sqlite') }),
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});
