/** murmur3's 32-bit finaliser: FNV's low bits mix poorly for short keys, and feature slots use the low bits. */
export function fmix32(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * 32-bit FNV-1a over the UTF-16 units of text[start, end), seeded so that feature families hash apart, finished
 * with fmix32. The feature hashing of the offline embedder and of the router's classifier both use it.
 */
export function fnv1a32(text: string, seed: number, start = 0, end = text.length): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = start; index < end; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return fmix32(hash);
}
