import { LRUCache } from 'lru-cache';
import { type CachedEntry, type CacheStore, checkTtlSeconds, DEFAULT_CACHE_TTL_SECONDS, parseCachedEntry } from './cache-store.js';

export interface MemoryCacheStoreOptions {
  /** Upper bound on the cache's memory, in bytes of stored JSON (UTF-16 code units × 2). Default 256 MiB. */
  maxBytes?: number;
  /** Default time to live when `set` is given none. */
  defaultTtlSeconds?: number;
  /** Milliseconds clock for TTLs; tests pass a fake one. */
  now?: () => number;
}

/**
 * An in-process LRU cache bounded by bytes and TTL. Entries are kept as JSON text, which gives an honest
 * size and means every `get` returns a fresh copy that the caller may edit freely.
 *
 * @example
 * const store = createMemoryCacheStore({ maxBytes: 64 * 1024 * 1024 });
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions = {}): CacheStore {
  const defaultTtlSeconds = checkTtlSeconds(options.defaultTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS);
  const cache = new LRUCache<string, string>({
    maxSize: options.maxBytes ?? 256 * 1024 * 1024,
    // JS strings are UTF-16; the key counts too, because a million small entries are mostly keys.
    sizeCalculation: (value, key) => (value.length + key.length) * 2,
    ttl: defaultTtlSeconds * 1000,
    ttlResolution: 0,
    allowStale: false,
    updateAgeOnGet: false,
    ...(options.now ? { perf: { now: options.now } } : {}),
  });
  return {
    async get(key) {
      const text = cache.get(key);
      return text === undefined ? undefined : parseCachedEntry(text);
    },
    async set(key: string, entry: CachedEntry, ttlSeconds = defaultTtlSeconds) {
      const text = JSON.stringify(entry);
      // An entry bigger than the whole cache would evict everything and then be refused; skip it instead.
      if ((text.length + key.length) * 2 > cache.maxSize) return;
      cache.set(key, text, { ttl: checkTtlSeconds(ttlSeconds) * 1000 });
    },
    async delete(key) {
      cache.delete(key);
    },
    async close() {
      cache.clear();
    },
  };
}
