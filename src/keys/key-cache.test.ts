import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyAuthenticator, type KeyAuthenticatorOptions } from './key-cache.js';
import type { KeyStore } from './key-store.js';
import { openKeyStore } from './open-key-store.js';

const T0 = Date.UTC(2025, 5, 1);
let dir: string;
let store: KeyStore;
let clock: number;
/** Store calls the authenticator made, by method. */
let calls: { authenticate: number; count: number };
/** Awaited by the counting store after reading, so a test can hold a lookup in flight. */
let gate: Promise<void> | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-key-cache-'));
  clock = T0;
  calls = { authenticate: 0, count: 0 };
  gate = undefined;
  store = openKeyStore({ dataDir: dir, now: () => clock });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** The real SQLite store, with its authenticate and count calls counted. */
function countingStore(): KeyStore {
  return {
    ...store,
    async authenticate(plaintext) {
      calls.authenticate += 1;
      const key = await store.authenticate(plaintext);
      await gate;
      return key;
    },
    async countIssued() {
      calls.count += 1;
      return store.countIssued();
    },
  };
}

function authenticator(options: KeyAuthenticatorOptions = {}) {
  return createKeyAuthenticator(countingStore(), { ttlMs: 30_000, negativeTtlMs: 5_000, now: () => clock, ...options });
}

const unknownKey = `fk-vk_aaaaaaaaaaaa-${'A'.repeat(43)}`;

describe('createKeyAuthenticator', () => {
  it('asks the store once per key and TTL, then answers from the cache', async () => {
    const { key, plaintext } = await store.create({ name: 'a' });
    const auth = authenticator();
    expect(await auth.authenticate(plaintext)).toEqual(key);
    clock += 29_999;
    expect(await auth.authenticate(plaintext)).toEqual(key);
    expect(calls.authenticate).toBe(1);
    clock += 1;
    expect(await auth.authenticate(plaintext)).toEqual(key);
    expect(calls.authenticate).toBe(2);
  });

  it('remembers rejected plaintexts briefly, and never asks the store about malformed ones', async () => {
    const auth = authenticator();
    for (let i = 0; i < 5; i++) expect(await auth.authenticate(unknownKey)).toBeUndefined();
    expect(calls.authenticate).toBe(1);
    clock += 5_000;
    expect(await auth.authenticate(unknownKey)).toBeUndefined();
    expect(calls.authenticate).toBe(2);
    for (const malformed of ['', 'sk-openai-key', 'Bearer x', unknownKey.slice(0, -1)]) expect(await auth.authenticate(malformed)).toBeUndefined();
    expect(calls.authenticate).toBe(2);
  });

  it('keeps real keys cached through a flood of wrong guesses', async () => {
    const { key, plaintext } = await store.create({ name: 'a' });
    const auth = authenticator({ maxEntries: 2 });
    await auth.authenticate(plaintext);
    for (let i = 0; i < 10; i++) await auth.authenticate(`fk-vk_aaaaaaaaaaaa-${String(i).padStart(43, 'A')}`);
    expect(calls.authenticate).toBe(11);
    expect(await auth.authenticate(plaintext)).toEqual(key);
    expect(calls.authenticate).toBe(11);
  });

  it('shares one store lookup between concurrent first requests with the same key', async () => {
    const { key, plaintext } = await store.create({ name: 'a' });
    const auth = authenticator();
    const results = await Promise.all(Array.from({ length: 5 }, () => auth.authenticate(plaintext)));
    expect(results).toEqual(Array(5).fill(key));
    expect(calls.authenticate).toBe(1);
  });

  it('rejects a revoked key at once after invalidate(id), and within one TTL without it', async () => {
    const a = await store.create({ name: 'a' });
    const b = await store.create({ name: 'b' });
    const auth = authenticator();
    await auth.authenticate(a.plaintext);
    await auth.authenticate(b.plaintext);
    await store.revoke(a.key.id);
    await store.revoke(b.key.id);
    auth.invalidate(a.key.id);
    expect(await auth.authenticate(a.plaintext)).toBeUndefined();
    // b was revoked elsewhere (another instance): the cached answer stands until the TTL runs out.
    expect(await auth.authenticate(b.plaintext)).toEqual(b.key);
    clock += 30_000;
    expect(await auth.authenticate(b.plaintext)).toBeUndefined();
  });

  it('rejects the old plaintext of a rotated key and accepts the new one', async () => {
    const { key, plaintext } = await store.create({ name: 'a' });
    const auth = authenticator();
    await auth.authenticate(plaintext);
    const rotated = await store.rotate(key.id);
    auth.invalidate(key.id);
    expect(await auth.authenticate(plaintext)).toBeUndefined();
    expect(await auth.authenticate(rotated.plaintext)).toEqual(rotated.key);
    expect(rotated.key).toEqual({ ...key, rotatedAt: rotated.key.rotatedAt });
  });

  it('checks expiry on every cache hit', async () => {
    const { key, plaintext } = await store.create({ name: 'a', expiresAt: T0 + 10_000 });
    const auth = authenticator();
    expect(await auth.authenticate(plaintext)).toEqual(key);
    clock = T0 + 10_000;
    expect(await auth.authenticate(plaintext)).toBeUndefined();
    expect(calls.authenticate).toBe(1);
  });

  it('does not cache a key read before an invalidate that happened while the lookup was in flight', async () => {
    const { key, plaintext } = await store.create({ name: 'a' });
    const auth = authenticator();
    let release = () => {};
    gate = new Promise<void>((resolve) => (release = resolve));
    const inFlight = auth.authenticate(plaintext);
    await new Promise((resolve) => setImmediate(resolve));
    await store.revoke(key.id);
    auth.invalidate(key.id);
    release();
    // Concurrent with the revoke, so either answer is fair for this one request…
    expect(await inFlight).toEqual(key);
    gate = undefined;
    // …but what it read must not outlive the revoke.
    expect(await auth.authenticate(plaintext)).toBeUndefined();
    expect(calls.authenticate).toBe(2);
  });

  it('forgets every cached key on invalidateAll, including what a lookup in flight read', async () => {
    const a = await store.create({ name: 'a' });
    const b = await store.create({ name: 'b' });
    const auth = authenticator();
    await auth.authenticate(a.plaintext);
    let release = () => {};
    gate = new Promise<void>((resolve) => (release = resolve));
    const inFlight = auth.authenticate(b.plaintext);
    await new Promise((resolve) => setImmediate(resolve));
    // Both revoked elsewhere, and the message that said so was missed: invalidateAll is the catch-up.
    await store.revoke(a.key.id);
    await store.revoke(b.key.id);
    auth.invalidateAll();
    release();
    expect(await inFlight).toEqual(b.key);
    gate = undefined;
    expect(await auth.authenticate(a.plaintext)).toBeUndefined();
    expect(await auth.authenticate(b.plaintext)).toBeUndefined();
    expect(calls.authenticate).toBe(4);
  });

  describe('requiredNow', () => {
    it('is closed until the first count, then open while no key was ever issued', async () => {
      const auth = authenticator();
      expect(auth.requiredNow()).toBe(true);
      await auth.refresh();
      expect(auth.requiredNow()).toBe(false);
    });

    it('turns on within one TTL of a key being created elsewhere, counting in the background', async () => {
      const auth = authenticator();
      await auth.refresh();
      await store.create({ name: 'a' });
      expect(auth.requiredNow()).toBe(false);
      expect(calls.count).toBe(1);
      clock += 30_000;
      expect(auth.requiredNow()).toBe(false);
      expect(auth.requiredNow()).toBe(false);
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls.count).toBe(2);
      expect(auth.requiredNow()).toBe(true);
    });

    it('stays closed when the last key is revoked: revoking must not open the gateway to everyone', async () => {
      const { key, plaintext } = await store.create({ name: 'a' });
      const auth = authenticator();
      await auth.refresh();
      expect(auth.requiredNow()).toBe(true);
      await store.revoke(key.id);
      auth.invalidate(key.id);
      await auth.refresh();
      expect(auth.requiredNow()).toBe(true);
      expect(await auth.authenticate(plaintext)).toBeUndefined();
    });

    it('keeps the last answer when a background count fails, and reports the failure', async () => {
      await store.create({ name: 'a' });
      const failures: unknown[] = [];
      const auth = authenticator({ onRefreshError: (error) => failures.push(error) });
      await auth.refresh();
      await store.close();
      clock += 30_000;
      expect(auth.requiredNow()).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(failures).toEqual([expect.objectContaining({ code: 'internal_error' })]);
      expect(auth.requiredNow()).toBe(true);
      store = openKeyStore({ dataDir: dir, now: () => clock });
    });
  });
});
