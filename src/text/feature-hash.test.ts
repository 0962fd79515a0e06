import { describe, expect, it } from 'vitest';
import { fmix32, fnv1a32 } from './feature-hash.js';

describe('feature hash', () => {
  it('hashes a range like the substring, and seeds apart', () => {
    expect(fnv1a32('xxhelloxx', 7, 2, 7)).toBe(fnv1a32('hello', 7));
    expect(fnv1a32('hello', 1)).not.toBe(fnv1a32('hello', 2));
    // FNV-1a of "" is the offset basis; the finaliser then mixes it.
    expect(fnv1a32('', 0)).toBe(fmix32(0x811c9dc5));
  });
});
