import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { hashKey } from './key-secret.js';
import type { KeyStore } from './key-store.js';
import type { SqlKeyStoreOptions } from './sql-key-store.js';

export interface KeyStoreFactory {
  /** A store on the database called `name`: new the first time, the same database when opened again. */
  open(name: string, options: SqlKeyStoreOptions): KeyStore;
  /** Every row of frugal_keys in database `name`, every column, as the database holds it. */
  rawRows(name: string): Promise<Array<Record<string, unknown>>>;
  /** Removes every database this factory made. */
  cleanUp(): Promise<void>;
}

/** 2025-06-01 00:00 UTC. */
export const T0 = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

/**
 * The behaviour every KeyStore backend must have. A backend's test file builds a factory and calls this.
 */
export function describeKeyStoreConformance(backend: string, createFactory: () => Promise<KeyStoreFactory>) {
  describe(`${backend}: KeyStore conformance`, () => {
    let factory: KeyStoreFactory;
    const opened: KeyStore[] = [];
    let clock = T0;
    let databases = 0;

    /** A fresh database and a store on it whose clock is `clock`. */
    async function freshStore(): Promise<{ store: KeyStore; name: string }> {
      const name = `keys-${++databases}`;
      const store = reopen(name);
      await store.migrate();
      return { store, name };
    }
    function reopen(name: string): KeyStore {
      const store = factory.open(name, { now: () => clock });
      opened.push(store);
      return store;
    }

    beforeAll(async () => {
      factory = await createFactory();
    });
    afterAll(async () => {
      for (const store of opened) await store.close();
      await factory?.cleanUp();
    });

    it('creates a key with every setting and reads it back unchanged from get, list and a new connection', async () => {
      clock = T0;
      const { store, name } = await freshStore();
      const { key, plaintext } = await store.create({
        name: 'growth bot',
        team: 'growth',
        allowedModels: ['gpt-4o-mini', 'auto'],
        budget: { limitUsd: '12.5', period: 'month', hard: false },
        rateLimits: { rpm: 60, tpm: 100_000 },
        defaultTags: { feature: 'summarize', owner: 'zoë "z" \'o\'' },
        expiresAt: T0 + 30 * DAY,
      });
      expect(key).toEqual({
        id: expect.stringMatching(/^vk_[a-z2-7]{12}$/),
        name: 'growth bot',
        team: 'growth',
        allowedModels: ['gpt-4o-mini', 'auto'],
        budget: { limitUsd: '12.5', period: 'month', hard: false },
        rateLimits: { rpm: 60, tpm: 100_000 },
        defaultTags: { feature: 'summarize', owner: 'zoë "z" \'o\'' },
        expiresAt: T0 + 30 * DAY,
        createdAt: T0,
        revokedAt: null,
        rotatedAt: null,
      });
      expect(plaintext).toMatch(new RegExp(`^fk-${key.id}-[A-Za-z0-9_-]{43}$`));
      expect(await store.get(key.id)).toEqual(key);
      expect(await store.list()).toEqual([key]);
      const other = reopen(name);
      expect(await other.get(key.id)).toEqual(key);
      expect(await other.authenticate(plaintext)).toEqual(key);
    });

    it('stores defaults as nulls and empties, and returns undefined for an unknown id', async () => {
      const { store } = await freshStore();
      const { key } = await store.create({ name: 'plain' });
      expect(await store.get(key.id)).toEqual({
        id: key.id,
        name: 'plain',
        team: null,
        allowedModels: null,
        budget: null,
        rateLimits: { rpm: null, tpm: null },
        defaultTags: {},
        expiresAt: null,
        createdAt: clock,
        revokedAt: null,
        rotatedAt: null,
      });
      expect(await store.get('vk_aaaaaaaaaaaa')).toBeUndefined();
    });

    it('never stores the plaintext or its secret, only the SHA-256 of the plaintext', async () => {
      const { store, name } = await freshStore();
      const issued = [await store.create({ name: 'a' }), await store.create({ name: 'b' })];
      const rotated = await store.rotate(issued[1].key.id);
      const rows = await factory.rawRows(name);
      expect(rows).toHaveLength(2);
      const stored = JSON.stringify(rows);
      for (const { plaintext } of [...issued, rotated]) {
        // The secret is the last 43 characters (it may itself contain '-').
        const secret = plaintext.slice(-43);
        expect(stored).not.toContain(plaintext);
        expect(stored).not.toContain(secret);
        expect(stored).not.toContain(Buffer.from(secret, 'base64url').toString('hex'));
        expect(stored).not.toContain(Buffer.from(secret, 'base64url').toString('base64'));
      }
      const hashes = Object.fromEntries(rows.map((row) => [row.id, row.secret_hash]));
      expect(hashes).toEqual({ [issued[0].key.id]: hashKey(issued[0].plaintext), [issued[1].key.id]: hashKey(rotated.plaintext) });
    });

    it('authenticates the exact plaintext and nothing near it', async () => {
      const { store } = await freshStore();
      const { key, plaintext } = await store.create({ name: 'a' });
      const other = await store.create({ name: 'b' });
      expect(await store.authenticate(plaintext)).toEqual(key);
      const lastChar = plaintext.at(-1) === 'A' ? 'B' : 'A';
      const secretOfOther = other.plaintext.slice(-43);
      for (const wrong of [
        `${plaintext.slice(0, -1)}${lastChar}`,
        `fk-${key.id}-${secretOfOther}`,
        `${plaintext} `,
        plaintext.toUpperCase(),
        plaintext.slice(0, -1),
        'fk-vk_aaaaaaaaaaaa-' + 'A'.repeat(43),
        '',
        hashKey(plaintext),
      ]) {
        expect(await store.authenticate(wrong), wrong).toBeUndefined();
      }
    });

    it('refuses a revoked key at once, hides it from list unless asked, and keeps the first revocation time', async () => {
      clock = T0;
      const { store } = await freshStore();
      const kept = await store.create({ name: 'kept' });
      clock = T0 + 1;
      const { key, plaintext } = await store.create({ name: 'leaked' });
      clock = T0 + 1_000;
      expect(await store.revoke(key.id)).toEqual({ ...key, revokedAt: T0 + 1_000 });
      expect(await store.authenticate(plaintext)).toBeUndefined();
      expect(await store.authenticate(kept.plaintext)).toEqual(kept.key);
      expect((await store.list()).map((listed) => listed.id)).toEqual([kept.key.id]);
      expect((await store.list({ includeRevoked: true })).map((listed) => listed.id)).toEqual([kept.key.id, key.id]);
      clock = T0 + 2_000;
      expect((await store.revoke(key.id)).revokedAt).toBe(T0 + 1_000);
      await expect(store.revoke('vk_aaaaaaaaaaaa')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('refuses an expired key from its expiry instant on, while still listing it', async () => {
      clock = T0;
      const { store } = await freshStore();
      const { key, plaintext } = await store.create({ name: 'temp', expiresAt: T0 + DAY });
      clock = T0 + DAY - 1;
      expect(await store.authenticate(plaintext)).toEqual(key);
      expect(await store.count()).toBe(1);
      clock = T0 + DAY;
      expect(await store.authenticate(plaintext)).toBeUndefined();
      expect(await store.count()).toBe(0);
      expect(await store.list()).toEqual([key]);
    });

    it('rotates: same id and settings, the old plaintext stops working, revoked keys refuse', async () => {
      clock = T0;
      const { store } = await freshStore();
      const first = await store.create({ name: 'svc', team: 'core', rateLimits: { rpm: 5 } });
      clock = T0 + 1_000;
      const second = await store.rotate(first.key.id);
      // Same key, stamped with when it was rotated (a dashboard session signed in before then ends).
      expect(second.key).toEqual({ ...first.key, rotatedAt: T0 + 1_000 });
      expect(second.plaintext).not.toBe(first.plaintext);
      expect(second.plaintext.startsWith(`fk-${first.key.id}-`)).toBe(true);
      expect(await store.authenticate(first.plaintext)).toBeUndefined();
      expect(await store.authenticate(second.plaintext)).toEqual(second.key);
      clock = T0 + 2_000;
      const third = await store.rotate(first.key.id);
      expect(third.key.rotatedAt).toBe(T0 + 2_000);
      expect(await store.authenticate(second.plaintext)).toBeUndefined();
      expect(await store.authenticate(third.plaintext)).toEqual(third.key);
      await store.revoke(first.key.id);
      const refusal = await store.rotate(first.key.id).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(FrugalError);
      expect(refusal).toMatchObject({ code: 'invalid_request', param: 'id' });
      expect(await store.authenticate(third.plaintext)).toBeUndefined();
      await expect(store.rotate('vk_aaaaaaaaaaaa')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('counts only active keys', async () => {
      clock = T0;
      const { store } = await freshStore();
      expect(await store.count()).toBe(0);
      expect(await store.countIssued()).toBe(0);
      const a = await store.create({ name: 'a' });
      await store.create({ name: 'b', expiresAt: T0 + 10 });
      await store.create({ name: 'c', expiresAt: T0 + DAY });
      expect(await store.count()).toBe(3);
      await store.revoke(a.key.id);
      clock = T0 + 10;
      expect(await store.count()).toBe(1);
      // Issued keys, revoked and expired included: what keeps the gateway closed.
      expect(await store.countIssued()).toBe(3);
    });

    it('never echoes an argument that may be a plaintext in a not-found error', async () => {
      const { store } = await freshStore();
      const { plaintext } = await store.create({ name: 'a' });
      await store.revoke(plaintext.slice(3, 18)); // the id part: fine to revoke by
      const error = (await store.revoke(`${plaintext}x`).catch((caught: unknown) => caught)) as FrugalError;
      expect(error).toMatchObject({ code: 'not_found' });
      expect(error.message).not.toContain(plaintext.slice(-43));
    });

    it('migrates idempotently on a database that already holds keys', async () => {
      const { store, name } = await freshStore();
      const { key, plaintext } = await store.create({ name: 'a' });
      const again = reopen(name);
      await again.migrate();
      await again.migrate();
      expect(await again.authenticate(plaintext)).toEqual(key);
    });
  });
}
