import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/pipeline/create-gateway.js';
import { deleteByPrefix, redisReachable, serviceGate, TEST_REDIS_URL } from '../src/testing/services.js';

const up = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'the Redis key prefix test');

// Two prefixes of one run. The gateways write to a logical database of their own (other tests use db 0), so a
// SCAN of that whole database sees every key they wrote, including any a component wrote without a prefix.
const run = randomBytes(4).toString('hex');
const REDIS_URL = `${TEST_REDIS_URL.replace(/\/\d*$/, '')}/${9 + (parseInt(run, 16) % 7)}`;
const prefixes = [`frugal-prefix-a-${run}:`, `frugal-prefix-b-${run}:`] as const;
const opened: Gateway[] = [];

afterAll(async () => {
  await Promise.all(opened.map((gateway) => gateway.close()));
  if (!up) return;
  const admin = new Redis(REDIS_URL);
  for (const prefix of prefixes) await deleteByPrefix(admin, prefix);
  admin.disconnect();
});

/** A gateway whose cache, semantic cache, budgets and per-deployment limits all live in Redis. */
async function openGateway(keyPrefix: string): Promise<Gateway> {
  const gateway = await createGateway({
    env: {},
    config: {
      providers: { sim: { kind: 'simulated', output_tokens: 3 } },
      models: [
        { name: 'm', provider: 'sim', price: { input: 1, output: 1 } },
        { name: 'spare', provider: 'sim', price: { input: 1, output: 1 } },
      ],
      // A low rpm keeps the limiter's key alive for the whole test (it expires once the limit has refilled).
      routes: { pool: { strategy: 'loadbalance', policy: 'least_in_flight', deployments: [{ model: 'm', rpm: 2 }, { model: 'spare' }] } },
      budgets: [{ scope: 'global', limit_usd: '100', period: 'day' }],
      spend_control: { backend: 'redis', redis_url: REDIS_URL, key_prefix: keyPrefix },
      cache: { enabled: true, backend: 'redis', redis_url: REDIS_URL, semantic: { enabled: true } },
    },
  });
  opened.push(gateway);
  return gateway;
}

const question = (model: string) => ({ model, temperature: 0, messages: [{ role: 'user', content: `What is the prefix test ${run}?` }] });

/** Every key of the gateways' database (SCAN, never KEYS). */
async function allKeys(admin: Redis): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'COUNT', 1_000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe.runIf(up)('spend_control.key_prefix', () => {
  it('keeps two gateways with different prefixes apart: a cached answer in one is a miss in the other', async () => {
    const [first, second] = [await openGateway(prefixes[0]), await openGateway(prefixes[1])];
    expect((await first.chat(question('pool'))).context.cacheStatus).toBe('miss');
    // The cache write is off the request path: ask again until it is served from the cache.
    let status: string | null = 'miss';
    while (status === 'miss') {
      await sleep(20);
      status = (await first.chat(question('pool'))).context.cacheStatus;
    }
    expect(status).toBe('hit');
    expect((await second.chat(question('pool'))).context.cacheStatus).toBe('miss');
  });

  it('writes every Redis key under its own prefix', async () => {
    const admin = new Redis(REDIS_URL);
    try {
      const keys = await allKeys(admin);
      // Both gateways wrote cache, semantic-cache, budget and rate-limit keys, and nothing outside their prefix.
      for (const [index, prefix] of prefixes.entries()) {
        const own = keys.filter((key) => key.startsWith(prefix));
        expect(own.some((key) => key.startsWith(`${prefix}cache:semantic:`)), `gateway ${index} semantic cache`).toBe(true);
        expect(own.some((key) => key.startsWith(`${prefix}cache:`) && !key.startsWith(`${prefix}cache:semantic:`)), `gateway ${index} exact cache`).toBe(true);
        expect(own.some((key) => key.startsWith(`${prefix}{budget}:`)), `gateway ${index} budget`).toBe(true);
        expect(own.some((key) => key.startsWith(`${prefix}rate:`)), `gateway ${index} rate limit`).toBe(true);
      }
      expect(keys.filter((key) => !prefixes.some((prefix) => key.startsWith(prefix)))).toEqual([]);
    } finally {
      admin.disconnect();
    }
  });
});
