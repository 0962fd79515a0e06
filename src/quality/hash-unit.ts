/**
 * A deterministic number in [0, 1) from a seed and a text: sampling and experiment arms are decided by it, so the
 * same request id (or user) always gets the same answer and a test can predict it. FNV-1a over UTF-16 code units,
 * then murmur3's finaliser (FNV alone leaves neighbouring ids such as "req-1", "req-2" in neighbouring buckets).
 * About 0.1 µs for a 40-character id; no allocation.
 *
 * @example
 * hashUnit(0, 'frg-3f2a…') < 0.02 // sampled at 2 %
 */
export function hashUnit(seed: number, text: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}

/** Distinct seeds for distinct decisions on the same id (sampled? judged? shadowed?), so they are independent. */
export const HASH_PURPOSE = { sample: 0, judge: 0x9e3779b9, shadow: 0x7f4a7c15, arm: 0x2545f491 } as const;

export function decide(seed: number, purpose: keyof typeof HASH_PURPOSE, text: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return hashUnit((seed ^ HASH_PURPOSE[purpose]) >>> 0, text) < rate;
}
