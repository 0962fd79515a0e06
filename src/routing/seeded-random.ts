/**
 * mulberry32: a tiny seeded PRNG, so shuffles, splits and the random baseline are reproducible from a number.
 * Not for anything security-related.
 *
 * @example
 * const random = createSeededRandom(42);
 * random(); // same value on every run
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
