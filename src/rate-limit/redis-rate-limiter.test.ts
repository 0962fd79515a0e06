import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { deleteByPrefix, REDIS_URL, redisReachable } from '../testing/redis-test-support.js';
import { describeRateLimiterConformance } from './rate-limiter.case.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';

const reachable = await redisReachable();
if (!reachable && process.env.CI !== 'true') {
  console.warn(`SKIPPED redis-rate-limiter tests: Redis is not reachable at ${REDIS_URL} (they fail instead when CI=true).`);
}

describe('Redis availability', () => {
  it.runIf(process.env.CI === 'true')('reaches the Redis the CI run needs', () => {
    expect(reachable, `Redis is not reachable at ${REDIS_URL}`).toBe(true);
  });
});

describe.skipIf(!reachable)('createRedisRateLimiter', () => {
  describeRateLimiterConformance('redis', async () => {
    const prefix = `frugal-test:rl:${randomUUID()}:`;
    const admin = new Redis(REDIS_URL);
    return {
      limiter: createRedisRateLimiter({ url: REDIS_URL, keyPrefix: prefix }),
      // The script uses the Redis server's clock, which cannot be faked: really wait.
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      cleanUp: async () => {
        await deleteByPrefix(admin, prefix);
        await admin.quit();
      },
    };
  });

  it('keeps one key per limited thing, expiring when its limit is whole again', async () => {
    const prefix = `frugal-test:rl:${randomUUID()}:`;
    const admin = new Redis(REDIS_URL);
    const limiter = createRedisRateLimiter({ client: admin, keyPrefix: prefix });
    try {
      await limiter.take('tpm:deployment:openai/gpt-4o', { limit: 1_000, periodMs: 60_000 }, 500);
      expect(await admin.keys(`${prefix}*`)).toEqual([`${prefix}tpm:deployment:openai/gpt-4o`]);
      const ttl = await admin.pttl(`${prefix}tpm:deployment:openai/gpt-4o`);
      expect(ttl).toBeGreaterThan(25_000);
      expect(ttl).toBeLessThanOrEqual(30_001);
      await limiter.adjust('tpm:deployment:openai/gpt-4o', { limit: 1_000, periodMs: 60_000 }, -500);
      expect(await admin.exists(`${prefix}tpm:deployment:openai/gpt-4o`)).toBe(0);
    } finally {
      await deleteByPrefix(admin, prefix);
      await limiter.close();
      await admin.quit();
    }
  });
});
