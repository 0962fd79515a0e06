import type { ChatRequest } from '../../wire/chat-types.js';
import type { OnProgress } from '../progress.js';
import { createMemoryCacheStore } from '../../cache/memory-cache-store.js';
import { dot, type Embedder } from '../../cache/semantic/embedder.js';
import { createSemanticCache } from '../../cache/semantic/semantic-cache.js';
import type { ContextualCase, LabelledPair } from './pair-files.js';

export interface PairMetrics {
  pairs: number;
  positives: number;
  truePositives: number;
  falsePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface PrecisionTarget {
  target: number;
  /** The lowest threshold whose hits reach the target precision (most recall), or null if none does. */
  threshold: number | null;
  precision: number | null;
  recall: number | null;
}

export interface PairEvaluation extends PairMetrics {
  threshold: number;
  targets: PrecisionTarget[];
}

/** Cosine similarity of each pair, embedding each distinct text once. */
export async function scorePairs(pairs: readonly LabelledPair[], embedder: Embedder, batchSize = 1_024, onProgress?: OnProgress): Promise<Float64Array> {
  const texts = [...new Set(pairs.flatMap((pair) => [pair.a, pair.b]))];
  const vectors = new Map<string, Float32Array>();
  for (let start = 0; start < texts.length; start += batchSize) {
    onProgress?.({ stage: 'embedding', done: start, total: texts.length, unit: 'texts' });
    const batch = texts.slice(start, start + batchSize);
    (await embedder.embed(batch)).forEach((vector, i) => vectors.set(batch[i], vector));
  }
  onProgress?.({ stage: 'embedding', done: texts.length, total: texts.length, unit: 'texts' });
  return Float64Array.from(pairs, (pair) => dot(vectors.get(pair.a)!, vectors.get(pair.b)!));
}

/** "Would this be a semantic hit" (similarity ≥ threshold) against the labels. */
export function pairMetrics(similarities: ArrayLike<number>, labels: readonly boolean[], threshold: number): PairMetrics {
  let truePositives = 0;
  let falsePositives = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i += 1) {
    if (labels[i]) positives += 1;
    if (similarities[i] >= threshold) {
      if (labels[i]) truePositives += 1;
      else falsePositives += 1;
    }
  }
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = positives === 0 ? 0 : truePositives / positives;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { pairs: labels.length, positives, truePositives, falsePositives, precision, recall, f1 };
}

/** For each target precision, the lowest threshold that reaches it (pairs with equal similarity fall together). */
export function thresholdsForPrecision(similarities: ArrayLike<number>, labels: readonly boolean[], targets: readonly number[]): PrecisionTarget[] {
  const order = Array.from(labels.keys()).sort((x, y) => similarities[y] - similarities[x]);
  const positives = labels.filter(Boolean).length;
  const found: PrecisionTarget[] = targets.map((target) => ({ target, threshold: null, precision: null, recall: null }));
  let truePositives = 0;
  for (let rank = 0; rank < order.length; rank += 1) {
    if (labels[order[rank]]) truePositives += 1;
    const similarity = similarities[order[rank]];
    if (rank + 1 < order.length && similarities[order[rank + 1]] === similarity) continue;
    const precision = truePositives / (rank + 1);
    for (const item of found) {
      if (precision >= item.target) Object.assign(item, { threshold: similarity, precision, recall: positives === 0 ? 0 : truePositives / positives });
    }
  }
  return found;
}

export async function evaluatePairs(pairs: readonly LabelledPair[], embedder: Embedder, threshold: number, targets = [0.95, 0.99], onProgress?: OnProgress): Promise<PairEvaluation> {
  const similarities = await scorePairs(pairs, embedder, undefined, onProgress);
  const labels = pairs.map((pair) => pair.positive);
  return { threshold, ...pairMetrics(similarities, labels, threshold), targets: thresholdsForPrecision(similarities, labels, targets) };
}

export interface ContextualKindResult {
  kind: string;
  shouldHit: boolean;
  cases: number;
  hits: number;
  /** Hits / cases: the hit rate where the case should hit, the false-hit rate where it should not. */
  rate: number;
}

export interface ContextualEvaluation {
  threshold: number;
  kinds: ContextualKindResult[];
  hitRate: number;
  falseHitRate: number;
}

const EVAL_ROUTE = 'frugal-eval';
const EVAL_SCOPE = 'eval';

function requestOf(context: ContextualCase['lookup']['context'], query: string): ChatRequest {
  return { model: EVAL_ROUTE, temperature: 0, messages: [...context, { role: 'user', content: query }] };
}

/**
 * Runs every contextual case through a real semantic cache (context fingerprints, vector index, store):
 * store the cached turn with its answer, look the new request up, count what is served.
 */
export async function evaluateContextual(cases: readonly ContextualCase[], embedder: Embedder, threshold: number, onProgress?: OnProgress): Promise<ContextualEvaluation> {
  const byKind = new Map<string, ContextualKindResult>();
  for (const [done, item] of cases.entries()) {
    onProgress?.({ stage: 'storing and looking up each case', done, total: cases.length, unit: 'cases' });
    const cache = createSemanticCache({ embedder, store: createMemoryCacheStore({ maxBytes: 1_000_000 }), threshold });
    const answer = item.cached.response ?? '(no answer in the source)';
    const entry = {
      response: { id: item.id, object: 'chat.completion' as const, created: 0, model: EVAL_ROUTE, choices: [{ index: 0, message: { role: 'assistant' as const, content: answer }, finish_reason: 'stop' as const }] },
      servedModel: EVAL_ROUTE,
      provider: 'eval',
      usage: { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 },
      costNanos: 0,
      createdAt: 0,
    };
    await cache.store(requestOf(item.cached.context, item.cached.query), EVAL_SCOPE, entry);
    const hit = await cache.lookup(requestOf(item.lookup.context, item.lookup.query), EVAL_SCOPE);
    const result = byKind.get(item.kind) ?? { kind: item.kind, shouldHit: item.shouldHit, cases: 0, hits: 0, rate: 0 };
    result.cases += 1;
    if (hit !== undefined) result.hits += 1;
    result.rate = result.hits / result.cases;
    byKind.set(item.kind, result);
  }
  onProgress?.({ stage: 'storing and looking up each case', done: cases.length, total: cases.length, unit: 'cases' });
  const kinds = [...byKind.values()];
  const share = (wanted: boolean) => {
    const group = kinds.filter((kind) => kind.shouldHit === wanted);
    const total = group.reduce((sum, kind) => sum + kind.cases, 0);
    return total === 0 ? 0 : group.reduce((sum, kind) => sum + kind.hits, 0) / total;
  };
  return { threshold, kinds, hitRate: share(true), falseHitRate: share(false) };
}
