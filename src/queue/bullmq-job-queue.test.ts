import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe } from 'vitest';
import { deleteByPrefix, redisReachable, serviceGate, TEST_REDIS_URL } from '../testing/services.js';
import { describeJobQueueConformance } from './job-queue.case.js';
import { createBullMqJobQueue } from './bullmq-job-queue.js';
import type { AbandonableJobQueue } from './sqlite-job-queue.js';

const reachable = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'BullMQ job queue tests');

describe.skipIf(!reachable)('createBullMqJobQueue', () => {
  describeJobQueueConformance('bullmq', async () => {
    const keyPrefix = `frugal-test-queue-${randomUUID()}`;
    const leaseMs = 500;
    return {
      leaseMs,
      open: async () => createBullMqJobQueue({ url: TEST_REDIS_URL, keyPrefix, leaseMs, pollMs: 100, retryDelayMs: 0 }),
      crash: (queue) => (queue as AbandonableJobQueue).abandon(),
      cleanUp: async () => {
        const admin = new Redis(TEST_REDIS_URL);
        await deleteByPrefix(admin, keyPrefix);
        await admin.quit();
      },
    };
  });
});
