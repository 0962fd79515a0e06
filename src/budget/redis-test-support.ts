import { Redis } from 'ioredis';

/** Shared by the Redis-backed tests of budgets and rate limits (not shipped code). */
export const REDIS_URL = process.env.FRUGAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisReachable(): Promise<boolean> {
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

/** Deletes every key of one test run, by prefix (SCAN, never KEYS, so a shared Redis is not blocked). */
export async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  // MATCH is a glob: the braces of a hash tag are literal, but escape the glob characters a prefix might hold.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
