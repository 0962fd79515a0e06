import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../wire/chat-types.js';
import { type CachedEntry, type CacheStore, DEFAULT_CACHE_TTL_SECONDS } from '../cache-store.js';
import { contextFingerprint, type SemanticKey } from './context-fingerprint.js';
import type { Embedder } from './embedder.js';
import { createHnswIndex } from './hnsw-index.js';
import type { VectorIndex } from './vector-index.js';

/** Used when neither the route nor the embedder names a threshold. */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.92;

export interface SemanticCacheOptions {
  embedder: Embedder;
  /** Where answers are kept (the vectors stay in `index`); entries live under `semantic:` keys. */
  store: CacheStore;
  /** Defaults to an in-memory HNSW index sized for the embedder. */
  index?: VectorIndex;
  /** Similarity needed for a hit: the embedder's measured threshold, else {@link DEFAULT_SEMANTIC_THRESHOLD}. */
  threshold?: number;
  /** Per route (or requested model) thresholds, overriding `threshold`. */
  routeThresholds?: Readonly<Record<string, number>>;
  ttlSeconds?: number;
  caseFold?: boolean;
  /** Epoch milliseconds; tests pass a fake clock. */
  now?: () => number;
  /** How often expired vectors are swept from the index, in milliseconds. */
  pruneIntervalMs?: number;
}

export interface SemanticHit {
  entry: CachedEntry;
  similarity: number;
}

export interface SemanticCache {
  readonly embedderId: string;
  /**
   * The most similar cached answer in the same context, if it clears the route's threshold. `target` is what serves
   * the requested name (`cacheTarget`): answers given under another target are in another bucket.
   */
  lookup(request: ChatRequest, scope: string, target?: string): Promise<SemanticHit | undefined>;
  /**
   * Stores an answer for later similar questions in the same context; a request without a plain last user turn is
   * skipped. Pass the request as the client sent it (the object given to `lookup`), not one a later stage rewrote.
   */
  store(request: ChatRequest, scope: string, entry: CachedEntry, ttlSeconds?: number, target?: string): Promise<void>;
  thresholdFor(route: string): number;
}

function checkThreshold(value: number, name: string): number {
  if (!(value > 0 && value <= 1)) throw new RangeError(`${name} must be in (0, 1], got ${value}.`);
  return value;
}

/**
 * Semantic caching: the last user turn is embedded and compared with earlier ones asked in exactly the
 * same context (see `contextFingerprint`); the most similar above the threshold is served.
 *
 * Safety: candidates come only from the request's own bucket (same tenant, conversation, model and
 * parameters, same embedder), a hit must clear the threshold, and an answer whose stored entry has
 * gone (expired, evicted) is dropped from the index rather than served. Embedder or store errors are
 * thrown; the caller treats them as a miss.
 *
 * @example
 * const cache = createSemanticCache({ embedder: createOfflineEmbedder(), store: createMemoryCacheStore() });
 * const hit = await cache.lookup(request, `key:${keyId}`);
 */
export function createSemanticCache(options: SemanticCacheOptions): SemanticCache {
  const { embedder, store } = options;
  const index = options.index ?? createHnswIndex({ dimensions: embedder.dimensions });
  const threshold = checkThreshold(options.threshold ?? embedder.suggestedThreshold ?? DEFAULT_SEMANTIC_THRESHOLD, 'threshold');
  const routeThresholds = new Map(Object.entries(options.routeThresholds ?? {}).map(([route, value]) => [route, checkThreshold(value, `threshold of route '${route}'`)]));
  const defaultTtlSeconds = options.ttlSeconds ?? DEFAULT_CACHE_TTL_SECONDS;
  const now = options.now ?? Date.now;
  const pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
  let lastPrune = now();
  // A lookup and the store after it see the same request object: embed its question once. The key is
  // the one of the request as the client sent it, even if a later stage edits the object in place.
  const embedded = new WeakMap<ChatRequest, { scope: string; target: string | undefined; key: SemanticKey; vector: Float32Array }>();

  const keyAndVector = async (request: ChatRequest, scope: string, target: string | undefined) => {
    const known = embedded.get(request);
    if (known !== undefined && known.scope === scope && known.target === target) return known;
    const key = contextFingerprint(request, { scope, target, embedderId: embedder.id, caseFold: options.caseFold });
    if (key === undefined) return undefined;
    const [vector] = await embedder.embed([key.query]);
    const result = { scope, target, key, vector };
    embedded.set(request, result);
    return result;
  };

  const thresholdFor = (route: string) => routeThresholds.get(route) ?? threshold;

  return {
    embedderId: embedder.id,
    thresholdFor,
    async lookup(request, scope, target) {
      const found = await keyAndVector(request, scope, target);
      if (found === undefined) return undefined;
      const matches = await index.search(found.key.fingerprint, found.vector, { k: 3, minSimilarity: thresholdFor(request.model), now: now() });
      for (const match of matches) {
        const entry = await store.get(match.id);
        if (entry !== undefined) return { entry, similarity: match.similarity };
        await index.delete(match.id);
      }
      return undefined;
    },
    async store(request, scope, entry, ttlSeconds = defaultTtlSeconds, target) {
      // A tool call's arguments answer this question's exact words (get_weather for London): a similar question
      // (Paris) must not replay them. Only the exact cache serves tool calls.
      if (entry.response.choices.some((choice) => (choice.message.tool_calls?.length ?? 0) > 0)) return;
      const found = await keyAndVector(request, scope, target);
      if (found === undefined) return;
      const id = `semantic:${createHash('sha256').update(`${found.key.fingerprint}\n${found.key.query}`).digest('hex')}`;
      await store.set(id, entry, ttlSeconds);
      const at = now();
      await index.add(id, found.key.fingerprint, found.vector, at + ttlSeconds * 1000);
      if (at - lastPrune >= pruneIntervalMs) {
        lastPrune = at;
        await index.prune(at);
      }
    },
  };
}
