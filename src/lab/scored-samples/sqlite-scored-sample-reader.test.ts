import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLearningStores } from './open-learning-stores.case.js';
import { describeScoredSampleReader } from './scored-sample-reader.case.js';

describeScoredSampleReader('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-scored-samples-'));
  return {
    open: (name) => openLearningStores({ dataDir: join(dir, name) }),
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});
