import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeCacheStoreConformance, sampleEntry } from './cache-store.case.js';
import { createRedisCacheStore } from './redis-cache-store.js';

const REDIS_URL = process.env.FRUGAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const reachable = await redisReachable();
if (!reachable && process.env.CI !== 'true') {
  console.warn(`SKIPPED redis-cache-store tests: Redis is not reachable at ${REDIS_URL} (they fail instead when CI=true).`);
}

describe('Redis availability', () => {
  it.runIf(process.env.CI === 'true')('reaches the Redis the CI run needs', () => {
    expect(reachable, `Redis is not reachable at ${REDIS_URL}`).toBe(true);
  });
});

/** Deletes every key of one test run, by prefix (SCAN, never KEYS, so a shared Redis is not blocked). */
async function deleteByPrefix(client: Redis, prefix: string) {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describe.skipIf(!reachable)('createRedisCacheStore', () => {
  describeCacheStoreConformance('redis', async () => {
    const prefix = `frugal-test:cache:${randomUUID()}:`;
    const admin = new Redis(REDIS_URL);
    return {
      store: createRedisCacheStore({ url: REDIS_URL, keyPrefix: prefix }),
      // Redis keeps its own clock, so the TTL test really waits (EX is whole seconds).
      advanceSeconds: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 150)),
      writeRaw: async (key, value) => {
        await admin.set(prefix + key, value, 'EX', 60);
      },
      cleanUp: async () => {
        await deleteByPrefix(admin, prefix);
        await admin.quit();
      },
    };
  });

  it('writes under the key prefix with SET … EX, defaulting to 24 hours', async () => {
    const prefix = `frugal-test:cache:${randomUUID()}:`;
    const admin = new Redis(REDIS_URL);
    const store = createRedisCacheStore({ client: admin, keyPrefix: prefix });
    try {
      await store.set('default-ttl', sampleEntry());
      await store.set('short-ttl', sampleEntry(), 90.2);
      expect(await admin.ttl(`${prefix}default-ttl`)).toBeGreaterThan(86_400 - 60);
      expect(await admin.ttl(`${prefix}default-ttl`)).toBeLessThanOrEqual(86_400);
      expect(await admin.ttl(`${prefix}short-ttl`)).toBeGreaterThan(80);
      expect(await admin.ttl(`${prefix}short-ttl`)).toBeLessThanOrEqual(91);
      expect(JSON.parse((await admin.get(`${prefix}default-ttl`))!)).toEqual(sampleEntry());
    } finally {
      await deleteByPrefix(admin, prefix);
      await store.close(); // a borrowed client stays open…
      expect(admin.status).toBe('ready');
      await admin.quit();
    }
  });
});
