import { porterStem } from './porter-stem.js';

/**
 * Okapi BM25 over small in-memory collections: the sentences of one prompt scored against its question.
 * Written here rather than taken from a library because it is 40 lines, must be allocation-light (it runs on
 * the request path) and needs only the query's terms, not a full inverted index.
 */

const TERM = /[\p{L}\p{N}]+/gu;
const ASCII_TERM = /[a-z0-9]+/g;
const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}/gu;

// Function words that carry no topic; a generic English list, not tuned on any data set.
const STOPWORDS = new Set(
  ('a an and are as at be been being but by can could did do does done for from had has have having he her hers ' +
    'him his how i if in into is it its itself just me more most my no nor not of off on once only or other our ' +
    'ours out over own same she should so some such than that the their theirs them then there these they this ' +
    'those through to too under until up very was we were what when where which while who whom why will with ' +
    'would you your yours s t')
    .split(' '),
);

/**
 * Lower-cased, accent-folded, Porter-stemmed terms without stopwords. With `mayMatch`, a word that cannot stem
 * to a query term is kept unstemmed: it still counts toward the document's length, and stemming only the few
 * words that can match saves most of the work on long contexts.
 */
export function searchTerms(text: string, mayMatch?: (word: string) => boolean): string[] {
  let folded = text.toLowerCase();
  // Unicode property classes are several times slower than [a-z0-9]; most prompt text is ASCII.
  let pattern = ASCII_TERM;
  if (NON_ASCII.test(folded)) {
    folded = folded.normalize('NFD').replace(COMBINING_MARKS, '');
    pattern = TERM;
  }
  const terms: string[] = [];
  for (const term of folded.match(pattern) ?? []) {
    if (!STOPWORDS.has(term)) terms.push(mayMatch === undefined || mayMatch(term) ? porterStem(term) : term);
  }
  return terms;
}

// Porter only rewrites the end of a word: a word of five or more letters keeps its first two in its stem, a
// shorter one its first (checked on 42k English words; the exceptions are non-words such as "ies").
function prefixCode(word: string, length: number): number {
  return length === 1 ? word.charCodeAt(0) : word.charCodeAt(0) * 65_536 + word.charCodeAt(1) + 1;
}

/** A cheap test of whether a (lower-case) word could stem to one of the query's stems. */
export function queryPrefixFilter(queryStems: readonly string[]): (word: string) => boolean {
  const codes = new Set<number>();
  for (const stem of queryStems) {
    codes.add(prefixCode(stem, 1));
    if (stem.length >= 2) codes.add(prefixCode(stem, 2));
  }
  return (word) => codes.has(prefixCode(word, word.length >= 5 ? 2 : 1));
}

export interface Bm25Parameters {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation, 0 (none) to 1 (full). */
  b: number;
}

export const DEFAULT_BM25: Bm25Parameters = { k1: 1.2, b: 0.75 };

/** The BM25 score of every document for the query (distinct query terms, each counted once). */
export function bm25Scores(documents: readonly (readonly string[])[], query: readonly string[], parameters: Bm25Parameters = DEFAULT_BM25): Float64Array {
  const scores = new Float64Array(documents.length);
  const queryIndex = new Map<string, number>();
  for (const term of query) if (!queryIndex.has(term)) queryIndex.set(term, queryIndex.size);
  if (queryIndex.size === 0 || documents.length === 0) return scores;

  const termCounts = documents.map(() => new Uint16Array(queryIndex.size));
  const documentFrequency = new Uint32Array(queryIndex.size);
  let totalLength = 0;
  documents.forEach((terms, documentIndex) => {
    totalLength += terms.length;
    const counts = termCounts[documentIndex];
    for (const term of terms) {
      const index = queryIndex.get(term);
      if (index === undefined) continue;
      if (counts[index] === 0) documentFrequency[index] += 1;
      if (counts[index] < 0xffff) counts[index] += 1;
    }
  });

  const averageLength = totalLength / documents.length || 1;
  const count = documents.length;
  // Lucene's idf: the "1 +" keeps a term found in most documents from scoring negative.
  const idf = Array.from(documentFrequency, (frequency) => Math.log(1 + (count - frequency + 0.5) / (frequency + 0.5)));
  documents.forEach((terms, documentIndex) => {
    const counts = termCounts[documentIndex];
    const norm = parameters.k1 * (1 - parameters.b + (parameters.b * terms.length) / averageLength);
    let score = 0;
    for (let index = 0; index < counts.length; index += 1) {
      const frequency = counts[index];
      if (frequency > 0) score += (idf[index] * frequency * (parameters.k1 + 1)) / (frequency + norm);
    }
    scores[documentIndex] = score;
  });
  return scores;
}
