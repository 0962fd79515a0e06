import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeBudgetStoreConformance } from './budget-store.case.js';
import { createRedisBudgetStore } from './redis-budget-store.js';
import { deleteByPrefix, REDIS_URL, redisReachable } from '../testing/redis-test-support.js';

const reachable = await redisReachable();
if (!reachable && process.env.CI !== 'true') {
  console.warn(`SKIPPED redis-budget-store tests: Redis is not reachable at ${REDIS_URL} (they fail instead when CI=true).`);
}

describe('Redis availability', () => {
  it.runIf(process.env.CI === 'true')('reaches the Redis the CI run needs', () => {
    expect(reachable, `Redis is not reachable at ${REDIS_URL}`).toBe(true);
  });
});

describe.skipIf(!reachable)('createRedisBudgetStore', () => {
  describeBudgetStoreConformance('redis', async () => {
    const prefix = `frugal-test:{budget-${randomUUID()}}:`;
    const admin = new Redis(REDIS_URL);
    let offset = 0;
    return {
      store: createRedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix, now: () => Date.now() + offset }),
      // Reservations expire on the Redis server's clock, which cannot be faked: really wait.
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      jumpPeriodClock: (ms) => {
        offset += ms;
      },
      cleanUp: async () => {
        await deleteByPrefix(admin, prefix);
        await admin.quit();
      },
    };
  });

  it('keeps counters under the prefix, expiring after the period plus retention', async () => {
    const prefix = `frugal-test:{budget-${randomUUID()}}:`;
    const admin = new Redis(REDIS_URL);
    // A November ahead of the real clock: Redis drops a key whose absolute expiry (PEXPIREAT) has already passed.
    const year = new Date().getUTCFullYear() + 1;
    const at = Date.UTC(year, 10, 23, 12);
    const store = createRedisBudgetStore({ client: admin, keyPrefix: prefix, now: () => at, counterRetentionMs: 86_400_000 });
    const team = { id: 'team:growth', limitNanos: 1_000, period: 'month', hard: true } as const;
    try {
      await store.reserve([team], 100, 'r1', 60_000);
      const keys = (await admin.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}b:${year}-11:team:growth`, `${prefix}res:r1`, `${prefix}x:${year}-11:team:growth`]);
      const expireAt = Date.UTC(year, 11, 1) + 86_400_000;
      expect(await admin.pexpiretime(`${prefix}b:${year}-11:team:growth`)).toBe(expireAt);
      expect(await admin.pexpiretime(`${prefix}x:${year}-11:team:growth`)).toBe(expireAt);
      const recordTtl = await admin.pttl(`${prefix}res:r1`);
      expect(recordTtl).toBeGreaterThan(3_600_000);
      expect(recordTtl).toBeLessThanOrEqual(3_660_000);
      await store.settle('r1', 80);
      expect(await admin.hgetall(`${prefix}b:${year}-11:team:growth`)).toEqual({ spent: '80', reserved: '0' });
      expect(await admin.exists(`${prefix}res:r1`)).toBe(0);
    } finally {
      await deleteByPrefix(admin, prefix);
      await store.close(); // a borrowed client stays open…
      expect(admin.status).toBe('ready');
      await admin.quit();
    }
  });

  it('counts amounts beyond 2^32 nano-dollars exactly', async () => {
    const prefix = `frugal-test:{budget-${randomUUID()}}:`;
    const store = createRedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
    const admin = new Redis(REDIS_URL);
    const big = { id: 'global', limitNanos: 9_000_000_000_000_000, period: 'month', hard: true } as const;
    try {
      await store.reserve([big], 4_000_000_000_000_123, 'r1', 60_000);
      expect(await store.extend('r1', 1_000_000_000_000_001, 60_000)).toMatchObject({ ok: true, usage: [{ reservedNanos: 5_000_000_000_000_124 }] });
      expect(await store.settle('r1', 4_999_999_999_999_999)).toMatchObject({ usage: [{ spentNanos: 4_999_999_999_999_999, reservedNanos: 0 }] });
    } finally {
      await deleteByPrefix(admin, prefix);
      await admin.quit();
      await store.close();
    }
  });
});
