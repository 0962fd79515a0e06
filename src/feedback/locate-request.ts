import { setTimeout as sleepFor } from 'node:timers/promises';
import type { FeedbackStore, ScoredRequest } from './feedback-store.js';
import type { RecentRequests } from './recent-requests.js';

export interface LocateRequestOptions {
  store: Pick<FeedbackStore, 'findRequests'>;
  /** This instance's requests not yet flushed to the ledger. */
  recent?: Pick<RecentRequests, 'get'>;
  /**
   * How long to keep looking for an id found nowhere, ms: another gateway instance sharing the PostgreSQL ledger
   * may hold the row in its own batch until its next flush. Default 0 (one look).
   */
  graceMs?: number;
  /** Pause between looks, ms. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * The ledger rows a request id names, newest first: this instance's recent requests and the ledger's rows,
 * looked up again every pollMs until graceMs has passed when neither has it. An empty list means unknown.
 *
 * @example
 * const rows = await locateRequest('frg-…', { store, recent, graceMs: 1_000 });
 */
export async function locateRequest(requestId: string, { store, recent, graceMs = 0, pollMs = 100, sleep = sleepFor }: LocateRequestOptions): Promise<ScoredRequest[]> {
  // Counted in looks, not read from a clock, so the bound holds however long each look takes.
  const retries = graceMs <= 0 ? 0 : Math.ceil(graceMs / pollMs);
  for (let attempt = 0; ; attempt += 1) {
    const found = await store.findRequests(requestId);
    const pending = recent?.get(requestId);
    if (pending && !found.some((row) => row.ts === pending.ts)) found.unshift(pending);
    if (found.length > 0 || attempt >= retries) return found.sort((a, b) => b.ts - a.ts);
    await sleep(pollMs);
  }
}
