import { createHash } from 'node:crypto';
import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashesMatch, hashKey, isKeyId, keyIdOf, newKeyId, newKeyMaterial, secretsMatch, type RandomBytes } from './key-secret.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

/** Bytes 0, 1, 2, … so every id and secret is known in advance. */
function countingBytes(): RandomBytes {
  let next = 0;
  return (size) => Buffer.from(Array.from({ length: size }, () => next++ % 256));
}

afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear());

describe('key material', () => {
  it('builds fk-<id>-<secret> from 8 id bytes (base32) and 32 secret bytes (base64url)', () => {
    const random = countingBytes();
    const id = newKeyId(random);
    // 00 01 02 03 04 05 06 07 → base32 "aaaqeayeaudaocaj…", first 12 characters.
    expect(id).toBe('vk_aaaqeayeauda');
    const material = newKeyMaterial(id, random);
    const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 8)).toString('base64url');
    expect(material).toEqual({ id, plaintext: `fk-${id}-${secret}`, hash: createHash('sha256').update(`fk-${id}-${secret}`).digest('hex') });
    expect(secret).toHaveLength(43);
  });

  it('makes a different id and plaintext every time from the real random source', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newKeyId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(isKeyId(id)).toBe(true);
    const a = newKeyMaterial('vk_aaaaaaaaaaaa');
    const b = newKeyMaterial('vk_aaaaaaaaaaaa');
    expect(a.plaintext).not.toBe(b.plaintext);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the id out of a well-formed plaintext only (the secret may contain "-")', () => {
    const plaintext = `fk-vk_abcdefgh2345-${'-'.repeat(10)}${'x'.repeat(33)}`;
    expect(keyIdOf(plaintext)).toBe('vk_abcdefgh2345');
    for (const bad of ['', 'sk-123', `${plaintext}=`, plaintext.slice(0, -1), plaintext.replace('vk_', 'VK_'), `Bearer ${plaintext}`, 'fk-vk_abcdefgh2345']) {
      expect(keyIdOf(bad), bad).toBeUndefined();
    }
    expect(isKeyId('vk_abcdefgh2345')).toBe(true);
    expect(isKeyId(plaintext)).toBe(false);
  });
});

describe('comparisons', () => {
  it('compares stored and presented hashes with crypto.timingSafeEqual on the 32-byte digests', () => {
    const hash = hashKey('fk-a');
    expect(hashesMatch(hash, hashKey('fk-a'))).toBe(true);
    expect(hashesMatch(hash, hashKey('fk-b'))).toBe(false);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(2);
    const [expected, actual] = vi.mocked(crypto.timingSafeEqual).mock.calls[1] as [Buffer, Buffer];
    expect([expected.length, actual.length]).toEqual([32, 32]);
    expect(expected.toString('hex')).toBe(hash);
  });

  it('refuses a malformed stored hash without comparing', () => {
    expect(hashesMatch('abc', hashKey('fk-a'))).toBe(false);
    expect(hashesMatch(hashKey('fk-a').slice(2), hashKey('fk-a'))).toBe(false);
    expect(crypto.timingSafeEqual).not.toHaveBeenCalled();
  });

  it('compares secrets of different lengths in constant time through their digests', () => {
    expect(secretsMatch('master-key-of-some-length', 'master-key-of-some-length')).toBe(true);
    expect(secretsMatch('master-key-of-some-length', 'm')).toBe(false);
    expect(secretsMatch('master-key-of-some-length', '')).toBe(false);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(3);
  });
});
