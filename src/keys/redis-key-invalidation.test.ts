import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisReachable, serviceGate, TEST_REDIS_URL } from '../testing/services.js';
import { createKeyAuthenticator } from './key-cache.js';
import type { KeyStore } from './key-store.js';
import { openKeyStore } from './open-key-store.js';
import { shareKeyInvalidations, type RedisKeyInvalidation } from './redis-key-invalidation.js';

const redisUp = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'the Redis key-invalidation tests');
const run = randomBytes(4).toString('hex');
// Far beyond the test: a refusal can only come from an invalidation, never from the cache expiring.
const TTL_MS = 600_000;

let dir: string;
let store: KeyStore;
const opened: RedisKeyInvalidation[] = [];
const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-key-invalidation-'));
  store = openKeyStore({ dataDir: dir });
  await store.migrate();
});
afterEach(async () => {
  for (const shared of opened.splice(0)) await shared.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});
afterAll(() => admin.disconnect());

/** One gateway instance's key cache over the shared store, joined to the others through Redis. */
async function instance(channel: string, connectionName = `frugal-test-keys-${run}`) {
  const shared = shareKeyInvalidations(createKeyAuthenticator(store, { ttlMs: TTL_MS, negativeTtlMs: TTL_MS }), { url: TEST_REDIS_URL, channel, connectionName });
  opened.push(shared);
  await shared.subscribed;
  await shared.authenticator.refresh();
  return shared.authenticator;
}

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(redisUp)('key invalidations shared over Redis', () => {
  it('makes every instance refuse a key revoked on one of them, long before the cache TTL', async () => {
    const channel = `frugal-test-${run}:revoke:keys:changed`;
    const [a, b, c] = [await instance(channel), await instance(channel), await instance(channel)];
    const { key, plaintext } = await store.create({ name: 'shared' });
    for (const auth of [a, b, c]) expect((await auth.authenticate(plaintext))?.id).toBe(key.id);

    await store.revoke(key.id);
    a.invalidate(key.id);
    expect(await a.authenticate(plaintext)).toBeUndefined();
    await eventually(async () => (await b.authenticate(plaintext)) === undefined && (await c.authenticate(plaintext)) === undefined, 'b and c refuse the revoked key');
  });

  it('forgets every cached key when its subscription comes back, since pub/sub keeps nothing for the absent', async () => {
    const name = `frugal-test-keys-reconnect-${run}`;
    const auth = await instance(`frugal-test-${run}:reconnect:keys:changed`, name);
    const { key, plaintext } = await store.create({ name: 'cut-off' });
    expect((await auth.authenticate(plaintext))?.id).toBe(key.id);

    // The revoke happens while this instance hears nothing: no message reaches it, ever.
    const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    const ids = clients
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /\bid=(\d+)/.exec(line)![1]);
    expect(ids).toHaveLength(1);
    await store.revoke(key.id);
    await admin.call('CLIENT', 'KILL', 'ID', ids[0]);
    await eventually(async () => (await auth.authenticate(plaintext)) === undefined, 'the resubscribed instance refuses the key');
  });
});
