import { Redis } from 'ioredis';
import pg from 'pg';
import { expect, it } from 'vitest';

/** The real services tests use (never mocks): Redis and PostgreSQL on 127.0.0.1, overridable for other setups. */
export const TEST_REDIS_URL = process.env.FRUGAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_DATABASE_URL = process.env.FRUGAL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export async function postgresReachable(url = TEST_DATABASE_URL): Promise<boolean> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await probe.connect();
    await probe.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await probe.end().catch(() => {});
  }
}

/**
 * The rule for tests that need a service: unreachable → skipped with a clear message on a developer's machine,
 * and a failing test under CI=true. Call at the top of a test file; run the service's tests only when it returns true.
 */
export function serviceGate(service: 'Redis' | 'PostgreSQL', url: string, reachable: boolean, what: string): boolean {
  if (!reachable && process.env.CI !== 'true') console.warn(`SKIPPED ${what}: ${service} is not reachable at ${url} (they fail instead when CI=true).`);
  it.runIf(process.env.CI === 'true')(`reaches the ${service} the CI run needs`, () => {
    expect(reachable, `${service} is not reachable at ${url}`).toBe(true);
  });
  return reachable;
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
