import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { deleteByPrefix, redisReachable, serviceGate, TEST_REDIS_URL } from '../testing/services.js';
import { describeCacheStoreConformance, sampleEntry } from './cache-store.case.js';
import { createRedisCacheStore } from './redis-cache-store.js';

const REDIS_URL = TEST_REDIS_URL;
const reachable = serviceGate('Redis', REDIS_URL, await redisReachable(), 'redis-cache-store tests');


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
