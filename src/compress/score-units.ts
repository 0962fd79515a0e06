import { bm25Scores, queryPrefixFilter, searchTerms } from './bm25.js';
import type { ContextUnit } from './context-units.js';

/**
 * How relevant each unit is to the question, and which units must survive whatever the budget.
 * Scores are lexical (BM25 of the unit, plus a share of its section's BM25 so that a sentence of the right
 * document outranks a lucky word match elsewhere), optionally blended with embedding similarity.
 */

// Quoted or back-ticked strings, and identifier-like tokens (≥ 6 characters with a digit): exact things a
// question can ask for, which word statistics tokenise into meaningless pieces.
const QUOTED = /"([^"\n]{2,200})"|“([^”\n]{2,200})”|`([^`\n]{2,200})`/g;
const IDENTIFIER = /[\p{L}\p{N}][\p{L}\p{N}_\-.:/]*[\p{L}\p{N}]/gu;
const HAS_DIGIT = /\p{N}/u;
// An anchor found in more units than this is a topic word ("COVID-19"), not a pointer to one unit.
const MAX_UNITS_PER_ANCHOR = 3;

/** Exact strings the question points at: quoted text and identifiers such as UUIDs or order numbers. */
export function queryAnchors(question: string): string[] {
  const anchors = new Set<string>();
  QUOTED.lastIndex = 0;
  for (let match = QUOTED.exec(question); match; match = QUOTED.exec(question)) {
    const value = (match[1] ?? match[2] ?? match[3]).trim();
    if (value.length >= 2) anchors.add(value);
  }
  IDENTIFIER.lastIndex = 0;
  for (let match = IDENTIFIER.exec(question); match; match = IDENTIFIER.exec(question)) {
    if (match[0].length >= 6 && HAS_DIGIT.test(match[0])) anchors.add(match[0]);
  }
  return [...anchors];
}

export function isCandidate(unit: ContextUnit): boolean {
  return unit.kind === 'sentence' || unit.kind === 'line' || unit.kind === 'exemplar';
}

/**
 * Units kept regardless of budget: code and tables, a structured line whose key is an anchor, and the few
 * units holding an anchor verbatim.
 */
export function mustKeep(units: readonly ContextUnit[], anchors: readonly string[]): boolean[] {
  const must = units.map((unit) => unit.kind === 'code' || unit.kind === 'table');
  for (const anchor of anchors) {
    const holders: number[] = [];
    units.forEach((unit, index) => {
      if (!isCandidate(unit)) return;
      if (unit.key === anchor) must[index] = true;
      else if (unit.text.includes(anchor)) holders.push(index);
    });
    if (holders.length <= MAX_UNITS_PER_ANCHOR) for (const index of holders) must[index] = true;
  }
  return must;
}

function normalise(scores: Float64Array): Float64Array {
  let max = 0;
  for (const score of scores) if (score > max) max = score;
  if (max > 0) for (let index = 0; index < scores.length; index += 1) scores[index] /= max;
  return scores;
}

/**
 * Lexical relevance in [0, 1 + sectionWeight]: the unit's normalised BM25 plus `sectionWeight` times its
 * section's. Headers count towards their section (a document title is strong evidence), not as units.
 */
export function lexicalScores(units: readonly ContextUnit[], sectionCount: number, question: string, sectionWeight: number): Float64Array {
  const query = searchTerms(question);
  const mayMatch = queryPrefixFilter(query);
  const unitTerms = units.map((unit) => (isCandidate(unit) ? searchTerms(unit.text, mayMatch) : []));
  const sectionTerms: string[][] = Array.from({ length: sectionCount }, () => []);
  units.forEach((unit, index) => {
    const terms = unit.kind === 'header' ? searchTerms(unit.text, mayMatch) : unitTerms[index];
    const target = sectionTerms[unit.section];
    for (const term of terms) target.push(term);
  });
  const candidates = units.flatMap((unit, index) => (isCandidate(unit) ? [index] : []));
  const candidateScores = normalise(bm25Scores(candidates.map((index) => unitTerms[index]), query));
  const sectionScores = normalise(bm25Scores(sectionTerms, query));
  const scores = new Float64Array(units.length);
  candidates.forEach((unitIndex, position) => {
    scores[unitIndex] = candidateScores[position] + sectionWeight * sectionScores[units[unitIndex].section];
  });
  return scores;
}

/** Cosine similarity of two vectors of any scale (embedders differ on whether they normalise). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dotProduct = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    dotProduct += a[index] * b[index];
    normA += a[index] * a[index];
    normB += b[index] * b[index];
  }
  return normA === 0 || normB === 0 ? 0 : dotProduct / Math.sqrt(normA * normB);
}

/** Blends lexical scores with embedding similarity: (1 − weight) · lexical + weight · max(0, cosine). */
export function blendScores(lexical: Float64Array, similarities: Float64Array, weight: number): Float64Array {
  return lexical.map((score, index) => (1 - weight) * score + weight * Math.max(0, similarities[index]));
}
