import { decideCaching, parseCacheHeader } from '../../cache/cache-policy.js';
import type { CachedEntry } from '../../cache/cache-store.js';
import { exactCacheKey } from '../../cache/exact/cache-key.js';
import { createMemoryCacheStore } from '../../cache/memory-cache-store.js';
import type { Embedder } from '../../cache/semantic/embedder.js';
import { createSemanticCache, type SemanticCache } from '../../cache/semantic/semantic-cache.js';
import type { CacheSettings } from '../../config/gateway-config.js';
import type { ChatRequest } from '../../wire/chat-types.js';

/** What the caches would have done with one request. */
export interface ReplayOutcome {
  /** The exact cache alone. */
  exact: 'hit' | 'miss' | 'bypass';
  /** Exact first, then semantic on an exact miss (the semantic strategy). */
  withSemantic: 'hit' | 'semantic-hit' | 'miss' | 'bypass';
}

export interface CacheReplay {
  /** Looks the request up as of `at` (ms) and, on a miss, stores it as the gateway would. */
  replay(request: ChatRequest, at: number, caller: { keyId?: string; cacheHeader?: string }): Promise<ReplayOutcome>;
  /** The semantic threshold in use, when semantic replay is on. */
  readonly semanticThreshold: number | undefined;
}

export interface CacheReplayOptions {
  cache: CacheSettings;
  /** Semantic replay with this embedder (offline by default in the CLI); undefined = exact only. */
  semantic?: { embedder: Embedder; threshold?: number };
}

/**
 * Replays requests in order through empty caches with the candidate config's policy: the cacheability rule,
 * TTL, scope, case folding and per-route overrides. A simulated clock stands in for time, so TTLs expire as
 * they would have. The cache is unbounded (no evictions) and stores never fail: a best case for hit rates.
 * An exact miss is stored in the exact cache whatever the semantic cache did, as the gateway's stages do.
 */
export function createCacheReplay(options: CacheReplayOptions): CacheReplay {
  const settings = options.cache;
  const exactExpiry = new Map<string, number>();
  let clock = 0;
  const now = () => clock;
  let semantic: SemanticCache | undefined;
  if (options.semantic) {
    semantic = createSemanticCache({
      embedder: options.semantic.embedder,
      threshold: options.semantic.threshold,
      store: createMemoryCacheStore({ maxBytes: Number.MAX_SAFE_INTEGER, now }),
      caseFold: settings.caseFold,
      now,
    });
  }

  return {
    semanticThreshold: semantic?.thresholdFor(''),
    async replay(request, at, caller) {
      clock = at;
      const policy = settings.routes.get(request.model) ?? settings;
      if (!policy.enabled) return { exact: 'bypass', withSemantic: 'bypass' };
      const decision = decideCaching(request, parseCacheHeader(caller.cacheHeader), { maxTemperature: policy.maxTemperature, defaultTtlSeconds: policy.ttlSeconds });
      if (!decision.read && !decision.write) return { exact: 'bypass', withSemantic: 'bypass' };
      // The gateway's cacheScope(): no tenant is known from a log beyond the key id it may carry.
      const scope = policy.scope === 'shared' ? 'shared' : caller.keyId ? `key:${caller.keyId}` : 'anonymous';
      const key = exactCacheKey(request, { scope, caseFold: settings.caseFold });
      if (decision.read && (exactExpiry.get(key) ?? Number.NEGATIVE_INFINITY) > at) return { exact: 'hit', withSemantic: 'hit' };
      if (decision.write) exactExpiry.set(key, at + decision.ttlSeconds * 1000);
      if (semantic === undefined) return { exact: 'miss', withSemantic: 'miss' };
      if (decision.read && (await semantic.lookup(request, scope)) !== undefined) return { exact: 'miss', withSemantic: 'semantic-hit' };
      if (decision.write) await semantic.store(request, scope, placeholderEntry(request, at), decision.ttlSeconds);
      return { exact: 'miss', withSemantic: 'miss' };
    },
  };
}

/** The semantic cache stores answers; a replay has none, and only whether one would be found matters. */
function placeholderEntry(request: ChatRequest, at: number): CachedEntry {
  return {
    response: { id: 'simulated', object: 'chat.completion', created: Math.floor(at / 1000), model: request.model, choices: [] },
    servedModel: request.model,
    provider: 'simulated',
    usage: { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 },
    costNanos: 0,
    createdAt: at,
  };
}
