import type { GatewayConfig } from '../config/gateway-config.js';
import type { CacheStore } from './cache-store.js';
import { createMemoryCacheStore } from './memory-cache-store.js';
import { createRedisCacheStore } from './redis-cache-store.js';

/** Whether any route or model caches at all. */
export function cacheWanted(config: GatewayConfig): boolean {
  return config.cache.enabled || [...config.cache.routes.values()].some((policy) => policy.enabled);
}

/** The configured backend: an in-process LRU (embedded default) or Redis shared by every instance. */
export function openCacheStore(config: GatewayConfig): CacheStore {
  const { cache } = config;
  if (cache.backend === 'redis') return createRedisCacheStore({ url: cache.redisUrl, keyPrefix: 'frugal:cache:', defaultTtlSeconds: cache.ttlSeconds });
  return createMemoryCacheStore({ maxBytes: cache.maxBytes, defaultTtlSeconds: cache.ttlSeconds });
}
