import type { GatewayConfig } from '../config/gateway-config.js';
import type { CacheStore } from './cache-store.js';
import { createMemoryCacheStore } from './memory-cache-store.js';
import { createRedisCacheStore } from './redis-cache-store.js';
import { FrugalError } from '../errors/frugal-error.js';
import { createOfflineEmbedder } from './semantic/offline-embedder.js';
import { createOpenAIEmbedder } from './semantic/openai-embedder.js';
import { createSemanticCache, type SemanticCache } from './semantic/semantic-cache.js';
import { openPgVectorIndex } from './semantic/pgvector-index.js';
import type { VectorIndex } from './semantic/vector-index.js';

/** Whether any route or model caches at all. */
export function cacheWanted(config: GatewayConfig): boolean {
  return config.cache.enabled || [...config.cache.routes.values()].some((policy) => policy.enabled);
}

/**
 * Where this gateway's cached answers live in Redis: under `spend_control.key_prefix`, like every other key it
 * writes, so two gateways (or environments) with different prefixes never read each other's answers.
 */
export function cacheKeyPrefix(config: GatewayConfig): string {
  return `${config.spendControl.keyPrefix}cache:`;
}

/** The configured backend: an in-process LRU (embedded default) or Redis shared by every instance. */
export function openCacheStore(config: GatewayConfig): CacheStore {
  const { cache } = config;
  if (cache.backend === 'redis') return createRedisCacheStore({ url: cache.redisUrl, keyPrefix: cacheKeyPrefix(config), defaultTtlSeconds: cache.ttlSeconds });
  return createMemoryCacheStore({ maxBytes: cache.maxBytes, defaultTtlSeconds: cache.ttlSeconds });
}

/** The semantic cache over the same store, when `cache.semantic.enabled`; its embedder as configured. */
export function openSemanticCache(config: GatewayConfig, store: CacheStore): SemanticCache | undefined {
  const { semantic } = config.cache;
  if (!semantic.enabled) return undefined;
  let embedder;
  if (semantic.embedder === 'offline') {
    embedder = createOfflineEmbedder();
  } else {
    const model = config.models.get(semantic.embedder.model);
    const provider = model ? config.providers.get(model.provider) : undefined;
    if (!model || model.type !== 'embedding' || !provider || provider.kind !== 'openai') {
      throw new FrugalError('config_invalid', `Invalid config: cache.semantic.embedder.model: '${semantic.embedder.model}' is not an embedding model of an OpenAI-compatible provider`);
    }
    embedder = createOpenAIEmbedder({ baseUrl: provider.baseUrl ?? 'https://api.openai.com/v1', apiKey: provider.apiKey, model: model.upstream, dimensions: semantic.embedder.dimensions ?? 1536 });
  }
  const index = semantic.index === 'postgres' ? lazyPgVectorIndex(config.ledger.databaseUrl!, embedder.dimensions, cacheKeyPrefix(config)) : undefined;
  return createSemanticCache({ embedder, store, index, threshold: semantic.threshold, routeThresholds: semantic.routeThresholds, ttlSeconds: config.cache.ttlSeconds, caseFold: config.cache.caseFold });
}

/**
 * The shared pgvector index, opened (and migrated) on first use so start-up stays synchronous. Ids and buckets
 * carry the gateway's key prefix: a gateway with another prefix finds no answer for a shared vector in its own
 * store and would delete that vector as stale, wiping the other gateway's entries.
 */
function lazyPgVectorIndex(connectionString: string, dimensions: number, namespace: string): VectorIndex {
  let opened: ReturnType<typeof openPgVectorIndex> | undefined;
  const index = () => (opened ??= openPgVectorIndex({ connectionString, dimensions }));
  return {
    add: async (id, bucket, vector, expiresAt) => (await index()).add(namespace + id, namespace + bucket, vector, expiresAt),
    search: async (bucket, vector, options) => {
      const matches = await (await index()).search(namespace + bucket, vector, options);
      return matches.map((match) => ({ ...match, id: match.id.slice(namespace.length) }));
    },
    delete: async (id) => (await index()).delete(namespace + id),
    prune: async (now) => (await index()).prune(now),
  };
}
