import type { ChatResponse } from '../wire/chat-types.js';

/** One cached answer, with what it cost the first time (the saving a hit reports). */
export interface CachedEntry {
  response: ChatResponse;
  /** The model that actually answered (after routing), as the ledger names it. */
  servedModel: string;
  provider: string;
  usage: { promptTokens: number; completionTokens: number; cachedPromptTokens: number };
  /** What the original call cost, in nano-dollars: a hit saves exactly this. */
  costNanos: number;
  /**
   * What the providers' prompt caches took off that cost (net, nano-dollars). A hit shows it apart: it is not a
   * saving of the route's choice. Absent on entries stored before it was kept.
   */
  promptCacheSavedNanos?: number;
  /** Epoch milliseconds when the answer was stored. */
  createdAt: number;
}

/** Entries live a day unless the route or the `x-frugal-cache: ttl=` header says otherwise. */
export const DEFAULT_CACHE_TTL_SECONDS = 86_400;

/**
 * Where cached answers are kept. Implementations return copies (a caller that edits a served response
 * must not change what the next tenant is served) and treat a corrupt or expired entry as absent.
 */
export interface CacheStore {
  get(key: string): Promise<CachedEntry | undefined>;
  /** `ttlSeconds` defaults to {@link DEFAULT_CACHE_TTL_SECONDS}; it must be positive. */
  set(key: string, entry: CachedEntry, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Parses a stored entry, or undefined when it is not one (a foreign or truncated value is a miss, never a crash). */
export function parseCachedEntry(text: string): CachedEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const entry = value as Partial<CachedEntry> | null;
  if (
    entry === null ||
    typeof entry !== 'object' ||
    typeof entry.response !== 'object' ||
    entry.response === null ||
    !Array.isArray(entry.response.choices) ||
    typeof entry.servedModel !== 'string' ||
    typeof entry.provider !== 'string' ||
    typeof entry.usage !== 'object' ||
    entry.usage === null ||
    !Number.isSafeInteger(entry.costNanos) ||
    (entry.promptCacheSavedNanos !== undefined && !Number.isSafeInteger(entry.promptCacheSavedNanos)) ||
    typeof entry.createdAt !== 'number'
  ) {
    return undefined;
  }
  return entry as CachedEntry;
}

export function checkTtlSeconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`Cache TTL must be a positive number of seconds, got ${ttlSeconds}.`);
  return ttlSeconds;
}
