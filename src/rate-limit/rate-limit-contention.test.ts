import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { deleteByPrefix, REDIS_URL, redisReachable } from '../testing/redis-test-support.js';
import type { RateLimiter } from './rate-limiter.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';

/**
 * Two gateway instances (two connections, two limiters) sharing one Redis limit. Periods are long (ten
 * minutes, a day) so that the time the test takes refills less than one unit: every verdict is exact.
 */

const reachable = await redisReachable();
if (!reachable && process.env.CI !== 'true') {
  console.warn(`SKIPPED rate-limit contention on Redis: Redis is not reachable at ${REDIS_URL} (it fails instead when CI=true).`);
}

describe('Redis availability', () => {
  it.runIf(process.env.CI === 'true')('reaches the Redis the CI run needs', () => {
    expect(reachable, `Redis is not reachable at ${REDIS_URL}`).toBe(true);
  });
});

describe.skipIf(!reachable)('rate limits under contention: two instances sharing Redis', () => {
  async function withTwoLimiters(run: (limiters: RateLimiter[]) => Promise<void>) {
    const prefix = `frugal-test:rl:${randomUUID()}:`;
    const limiters = [createRedisRateLimiter({ url: REDIS_URL, keyPrefix: prefix }), createRedisRateLimiter({ url: REDIS_URL, keyPrefix: prefix })];
    const admin = new Redis(REDIS_URL);
    try {
      await run(limiters);
    } finally {
      await deleteByPrefix(admin, prefix);
      await admin.quit();
      for (const limiter of limiters) await limiter.close();
    }
  }

  it('lets exactly `limit` of 400 concurrent requests through (RPM)', async () => {
    await withTwoLimiters(async (limiters) => {
      const limit = { limit: 50, periodMs: 600_000 };
      const results = await Promise.all(Array.from({ length: 400 }, (_, i) => limiters[i % 2].take('rpm:key:k_1', limit)));
      expect(results.filter((result) => result.allowed)).toHaveLength(50);
      for (const result of results) {
        if (!result.allowed) {
          expect(result.exceedsLimit).toBe(false);
          expect(result.retryAfterMs).toBeGreaterThan(0);
          expect(result.retryAfterMs).toBeLessThanOrEqual(12_000); // one interval: 600 s / 50
        }
      }
    });
  });

  it('never lets real token use pass the TPM limit, and gives unused estimates back', async () => {
    await withTwoLimiters(async (limiters) => {
      const limit = { limit: 20_000, periodMs: 86_400_000 };
      let seed = 7;
      const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
      let used = 0;
      let refused = 0;
      await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          const limiter = limiters[i % 2];
          const estimate = 100 + Math.floor(random() * 201);
          const actual = Math.floor(estimate * random());
          await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 200)));
          const verdict = await limiter.take('tpm:deployment:openai/gpt-4o', limit, estimate);
          if (!verdict.allowed) {
            refused += 1;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 30)));
          await limiter.adjust('tpm:deployment:openai/gpt-4o', limit, actual - estimate);
          used += actual;
        }),
      );
      expect(refused, 'the limit was contended').toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(limit.limit);
      // The refunds came back: the limit minus the tokens really used is free again (without them,
      // the estimates would still hold it).
      expect(await limiters[0].take('tpm:deployment:openai/gpt-4o', limit, limit.limit - used)).toMatchObject({ allowed: true });
    });
  });
});
