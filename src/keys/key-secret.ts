import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';

/** Where key material comes from; tests pass a seeded source so ids and plaintexts are exact. */
export type RandomBytes = (size: number) => Buffer;

export const defaultRandomBytes: RandomBytes = (size) => cryptoRandomBytes(size);

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const ID_CHARS = 12;
const SECRET_BYTES = 32;

/** `fk-vk_<12 base32>-<43 base64url>`: the id first so a lookup is by primary key, not by secret. */
const PLAINTEXT = /^fk-(vk_[a-z2-7]{12})-[A-Za-z0-9_-]{43}$/;

export interface NewKeyMaterial {
  id: string;
  /** Shown to the caller once, never stored or logged. */
  plaintext: string;
  /** What the store keeps: SHA-256 of the plaintext, hex. */
  hash: string;
}

function base32(bytes: Buffer, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A fresh public id: "vk_" + 12 base32 characters (60 random bits; the id is not a secret). */
export function newKeyId(randomBytes: RandomBytes = defaultRandomBytes): string {
  return `vk_${base32(randomBytes(8), ID_CHARS)}`;
}

/**
 * SHA-256 of the whole plaintext, hex. A fast hash is right here, unlike for passwords: the secret part is
 * 32 random bytes (256 bits of entropy), so no amount of hashing speed makes guessing it feasible, and a
 * slow KDF would only cost every request time.
 */
export function hashKey(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

/** New key material for `id` (a new id when creating, the same id when rotating). */
export function newKeyMaterial(id: string, randomBytes: RandomBytes = defaultRandomBytes): NewKeyMaterial {
  const plaintext = `fk-${id}-${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { id, plaintext, hash: hashKey(plaintext) };
}

const KEY_ID = /^vk_[a-z2-7]{12}$/;

/** Whether `text` is shaped like a key id (so it is safe to echo: a pasted plaintext never is). */
export function isKeyId(text: string): boolean {
  return KEY_ID.test(text);
}

/** The key id a presented plaintext claims, or undefined when it is not shaped like a Frugal key. */
export function keyIdOf(plaintext: string): string | undefined {
  return PLAINTEXT.exec(plaintext)?.[1];
}

/** Two SHA-256 hex digests compared in constant time; false for anything not a 32-byte digest. */
export function hashesMatch(expectedHex: string, actualHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const actual = Buffer.from(actualHex, 'hex');
  if (expected.length !== 32 || actual.length !== 32) return false;
  return timingSafeEqual(expected, actual);
}

/**
 * Two secrets of any length compared in constant time. Both are hashed first so timingSafeEqual gets equal
 * lengths and the comparison time says nothing about the expected secret's length either.
 */
export function secretsMatch(expected: string, presented: string): boolean {
  return timingSafeEqual(createHash('sha256').update(expected).digest(), createHash('sha256').update(presented).digest());
}
