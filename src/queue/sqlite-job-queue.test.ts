import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { describeJobQueueConformance } from './job-queue.case.js';
import { createSqliteJobQueue, type AbandonableJobQueue } from './sqlite-job-queue.js';

describe('createSqliteJobQueue', () => {
  describeJobQueueConformance('sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-queue-'));
    const leaseMs = 300;
    return {
      leaseMs,
      open: async () => createSqliteJobQueue({ path: join(dir, 'queue.sqlite'), leaseMs, pollMs: 50, retryDelayMs: 0 }),
      crash: (queue) => (queue as AbandonableJobQueue).abandon(),
      cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});
