import { Redis, type RedisOptions } from 'ioredis';
import { type CachedEntry, type CacheStore, checkTtlSeconds, DEFAULT_CACHE_TTL_SECONDS, parseCachedEntry } from './cache-store.js';

export interface RedisCacheStoreOptions {
  /** An existing client (not closed by `close()`), or a URL / options to create one. */
  client?: Redis;
  url?: string;
  redisOptions?: RedisOptions;
  /** Prepended to every key, so several gateways (or test runs) can share one Redis. */
  keyPrefix?: string;
  defaultTtlSeconds?: number;
}

/**
 * Cached answers in Redis: one string per entry, `SET key json EX ttl`, so Redis expires them itself
 * and several gateway instances share one cache.
 *
 * A client created here gives every command 500 ms, queueing included, then fails: a cache that blocks
 * a request while Redis is away is worse than no cache. Callers treat a thrown error as a miss.
 *
 * @example
 * const store = createRedisCacheStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'frugal:cache:' });
 */
export function createRedisCacheStore(options: RedisCacheStoreOptions = {}): CacheStore {
  const ownsClient = options.client === undefined;
  const client =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      // Commands wait for a (re)connection at most this long, then fail: see the note above.
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
      ...options.redisOptions,
    });
  const prefix = options.keyPrefix ?? 'frugal:cache:';
  const defaultTtlSeconds = checkTtlSeconds(options.defaultTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS);
  return {
    async get(key) {
      const text = await client.get(prefix + key);
      return text === null ? undefined : parseCachedEntry(text);
    },
    async set(key: string, entry: CachedEntry, ttlSeconds = defaultTtlSeconds) {
      // EX takes whole seconds; rounding up never serves an entry for less than asked.
      const seconds = Math.max(1, Math.ceil(checkTtlSeconds(ttlSeconds)));
      await client.set(prefix + key, JSON.stringify(entry), 'EX', seconds);
    },
    async delete(key) {
      await client.del(prefix + key);
    },
    async close() {
      if (ownsClient) await client.quit().catch(() => client.disconnect());
    },
  };
}
