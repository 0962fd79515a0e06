import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { describeSampleStoreConformance } from './sample-store.case.js';
import { openSampleStore } from './open-sample-store.js';

describeSampleStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-samples-'));
  return {
    open: (name) => ({ samples: openSampleStore({ dataDir: join(dir, name) }), feedback: openFeedbackStore({ dataDir: join(dir, name) }) }),
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});
