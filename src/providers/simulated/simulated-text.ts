import { createHash } from 'node:crypto';

// Common English words that are one o200k token each with a leading space, so output length in tokens is exact.
const WORDS = [
  'the', 'answer', 'is', 'simple', 'and', 'we', 'can', 'see', 'that', 'it', 'works', 'well', 'for', 'most', 'cases',
  'here', 'this', 'model', 'gives', 'a', 'short', 'reply', 'with', 'clear', 'steps', 'to', 'follow', 'in', 'order',
];

/** A deterministic pseudo-random sequence seeded by a string (same prompt → same answer). */
export function seededRandom(seed: string): () => number {
  const digest = createHash('sha256').update(seed).digest();
  let state = digest.readUInt32LE(0) || 1;
  return () => {
    // xorshift32: fast, deterministic, good enough for picking words.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** `count` words, starting with "[simulated]", so nobody mistakes the output for a real model's. */
export function simulatedWords(seed: string, count: number): string[] {
  const random = seededRandom(seed);
  const words = ['[simulated]'];
  for (let index = 1; index < count; index += 1) words.push(WORDS[Math.floor(random() * WORDS.length)]);
  return words;
}
