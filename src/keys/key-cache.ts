import { LRUCache } from 'lru-cache';
import { hashKey, keyIdOf } from './key-secret.js';
import type { KeyStore } from './key-store.js';
import { keyStatus, type VirtualKey } from './virtual-key.js';

export { extractPresentedKey } from './extract-presented-key.js';

export interface KeyAuthenticatorOptions {
  /** How long a found key, and the "are any keys active" answer, are trusted before asking the store again. */
  ttlMs?: number;
  /** How long a rejected plaintext is remembered: long enough to absorb a guessing burst, short enough not to matter. */
  negativeTtlMs?: number;
  /** Per cache (found and rejected are kept apart, so a flood of guesses never evicts real keys). */
  maxEntries?: number;
  now?: () => number;
  /** A background refresh of the active-key count failed; the last known answer stays in force. */
  onRefreshError?: (error: unknown) => void;
}

export interface KeyAuthenticator {
  /** The active key a plaintext belongs to, or undefined. */
  authenticate(plaintext: string): Promise<VirtualKey | undefined>;
  /**
   * Forgets a key (after revoke or rotate) and re-counts active keys; here at once, before it returns. Resolves once
   * the others it can reach have forgotten it too (workers of this `frugal serve`: each acknowledged it; other
   * instances: published over Redis, redis-key-invalidation.ts). Without either they catch up within ttlMs.
   */
  invalidate(id: string): Promise<void>;
  /** Forgets every cached key: for when invalidations may have been missed (a Redis subscription that was down). */
  invalidateAll(): void;
  /**
   * Whether callers must present a key: true once any key was ever issued (revoking the last key keeps the gateway closed). Synchronous for the hot path; answers
   * from the last count and starts a new one when it is older than ttlMs. Until the first count it answers
   * true (closed), so await refresh() before serving.
   */
  requiredNow(): boolean;
  /** Counts active keys now. */
  refresh(): Promise<void>;
}

interface FoundEntry {
  key: VirtualKey;
  until: number;
}

/**
 * The hot-path front of a KeyStore: SHA-256 of the presented plaintext → key, cached. A found key is still
 * checked against its expiry on every hit. Lookups are by hash, so the timing of the cache says nothing
 * about any secret: an attacker cannot steer where a guess's hash lands.
 *
 * @example
 * const auth = createKeyAuthenticator(store);
 * await auth.refresh();
 * if (auth.requiredNow()) {
 *   const key = await auth.authenticate(extractPresentedKey(request.headers) ?? '');
 *   if (!key) throw new FrugalError('invalid_api_key', 'Missing or unknown API key.');
 * }
 */
export function createKeyAuthenticator(
  store: KeyStore,
  { ttlMs = 30_000, negativeTtlMs = 5_000, maxEntries = 10_000, now = Date.now, onRefreshError = () => {} }: KeyAuthenticatorOptions = {},
): KeyAuthenticator {
  const found = new LRUCache<string, FoundEntry>({ max: maxEntries });
  const rejected = new LRUCache<string, number>({ max: maxEntries });
  // Concurrent first requests with the same key share one store lookup.
  const pending = new Map<string, Promise<VirtualKey | undefined>>();
  // Bumped by invalidate: a lookup that read the store before a revoke must not cache what it read.
  let generation = 0;
  let activeKeys: number | undefined;
  let countedAt = -Infinity;
  let counting: Promise<void> | undefined;
  let countsStarted = 0;
  let countApplied = 0;

  async function lookUp(hash: string, plaintext: string): Promise<VirtualKey | undefined> {
    const startedIn = generation;
    const key = await store.authenticate(plaintext);
    if (startedIn !== generation) return key;
    const at = now();
    if (key) {
      found.set(hash, { key, until: at + ttlMs });
      rejected.delete(hash);
    } else {
      rejected.set(hash, at + negativeTtlMs);
    }
    return key;
  }

  function refresh(): Promise<void> {
    // Always a new count (one already running may predate the change the caller just made); the answer of
    // the latest count started wins, whatever order they finish in.
    const started = ++countsStarted;
    const run: Promise<void> = store
      .countIssued()
      .then((active) => {
        if (started < countApplied) return;
        countApplied = started;
        activeKeys = active;
        countedAt = now();
      })
      .finally(() => {
        if (counting === run) counting = undefined;
      });
    counting = run;
    return run;
  }

  return {
    async authenticate(plaintext) {
      // Not shaped like a Frugal key: no hashing, no caching, no database.
      if (keyIdOf(plaintext) === undefined) return undefined;
      const hash = hashKey(plaintext);
      const at = now();
      const hit = found.get(hash);
      if (hit && hit.until > at) return keyStatus(hit.key, at) === 'active' ? hit.key : undefined;
      const rejectedUntil = rejected.get(hash);
      if (rejectedUntil !== undefined && rejectedUntil > at) return undefined;
      const joined = pending.get(hash);
      if (joined) return joined;
      const lookup: Promise<VirtualKey | undefined> = lookUp(hash, plaintext).finally(() => {
        if (pending.get(hash) === lookup) pending.delete(hash);
      });
      pending.set(hash, lookup);
      return lookup;
    },

    invalidate(id) {
      // Admin-rate operation over a bounded cache: a scan beats keeping a second index in step.
      generation += 1;
      // Requests from now on must not join a lookup that may have read the key before the change.
      pending.clear();
      for (const [hash, entry] of found.entries()) if (entry.key.id === id) found.delete(hash);
      countedAt = -Infinity;
      refresh().catch(onRefreshError);
      return Promise.resolve();
    },

    invalidateAll() {
      generation += 1;
      pending.clear();
      found.clear();
      countedAt = -Infinity;
      refresh().catch(onRefreshError);
    },

    requiredNow() {
      if (countedAt + ttlMs <= now() && !counting) refresh().catch(onRefreshError);
      return activeKeys === undefined || activeKeys > 0;
    },

    refresh,
  };
}
