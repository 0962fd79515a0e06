import { DOC_HEADER } from './context-units.js';

const WORDS = /[\p{L}\p{N}]+/gu;
const INFORMATIVE = /[\p{N}]|^\p{Lu}/u;
const LIST_MARKER = /^(?:[-*+•]|\d{1,3}[.)])\s+/;

/** A sentence's identity for repeat detection: case, spacing, list markers and punctuation do not count. */
export function sentenceKey(sentence: string): string {
  return (sentence.replace(LIST_MARKER, '').toLowerCase().match(WORDS) ?? []).join(' ');
}

export function wordCount(text: string): number {
  return text.match(WORDS)?.length ?? 0;
}

export interface ChunkFingerprint {
  key: string;
  shingles: Set<string>;
  /** Numbers and capitalised words: what a near-duplicate may not add without being new information. */
  informative: Set<string>;
}

/** A retrieved chunk's fingerprint; its `Document [n](Title: …)` label is ignored (the same chunk, renumbered). */
export function chunkFingerprint(chunk: string): ChunkFingerprint {
  const header = DOC_HEADER.exec(chunk);
  const body = header ? chunk.slice(header[0].length) : chunk;
  const words = body.match(WORDS) ?? [];
  const informative = new Set(words.filter((word) => INFORMATIVE.test(word)));
  const lower = words.map((word) => word.toLowerCase());
  const shingles = new Set<string>();
  for (let index = 0; index + 3 <= lower.length; index += 1) shingles.add(`${lower[index]} ${lower[index + 1]} ${lower[index + 2]}`);
  if (lower.length < 3) shingles.add(lower.join(' '));
  return { key: lower.join(' '), shingles, informative };
}

/**
 * Whether `candidate` repeats `kept`: the same words, or word 3-gram Jaccard ≥ `threshold` while adding no
 * number or capitalised word that `kept` lacks — so a copy with a changed figure is never dropped.
 */
export function repeatsChunk(candidate: ChunkFingerprint, kept: ChunkFingerprint, threshold: number): boolean {
  if (candidate.key === kept.key) return true;
  const smaller = Math.min(candidate.shingles.size, kept.shingles.size);
  const larger = Math.max(candidate.shingles.size, kept.shingles.size);
  if (larger === 0 || smaller / larger < threshold) return false;
  let shared = 0;
  for (const shingle of candidate.shingles) if (kept.shingles.has(shingle)) shared += 1;
  const jaccard = shared / (candidate.shingles.size + kept.shingles.size - shared);
  if (jaccard < threshold) return false;
  for (const word of candidate.informative) if (!kept.informative.has(word)) return false;
  return true;
}
