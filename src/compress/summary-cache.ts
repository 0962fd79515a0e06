import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ChatMessage } from '../wire/chat-types.js';

/**
 * The cheap model the summarising compressors call. The pipeline passes the real provider; it must return the
 * call's cost in integer nano-dollars so the ledger can charge the compression to the request.
 */
export type CompleteFn = (messages: ChatMessage[], model: string) => Promise<{ text: string; costNanos: number }>;

/** Where summaries are kept between requests (in memory by default; a Redis-backed one fits the same shape). */
export interface SummaryCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/**
 * An in-process LRU of summaries, bounded by entry count.
 *
 * @example
 * const cache = createMemorySummaryCache({ maxEntries: 5_000 });
 */
export function createMemorySummaryCache(options: { maxEntries?: number } = {}): SummaryCache {
  const entries = new LRUCache<string, string>({ max: options.maxEntries ?? 1_000 });
  return {
    get: async (key) => entries.get(key),
    set: async (key, value) => {
      entries.set(key, value);
    },
  };
}

/** SHA-256 (hex) of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ. */
export function contentHash(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:`).update(part);
  return hash.digest('hex');
}
