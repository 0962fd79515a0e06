import { saveIfStillStored, type ResponseStore, type StoredResponse } from './response-store.js';

/**
 * How long a stored response may stay `in_progress` before it counts as abandoned: an hour, six times the
 * 10-minute request timeout of OpenAI's own SDKs, so no client still reads a stream that old. A stream is saved as
 * `in_progress` before its first event; only a gateway killed mid-stream (crash, OOM, `kill -9`, a lost host) leaves
 * that copy behind, since every ending it lives through (done, failed, client gone) replaces or removes it.
 */
export const ABANDONED_STREAM_AFTER_MS = 60 * 60_000;

/** The `response.error.code` of an abandoned stream: OpenAI's code for a failure on the server's side. */
export const ABANDONED_STREAM_CODE = 'server_error';

/** `stored` as it must be reported: failed, with an error, when it is an abandoned stream; else unchanged. */
export function settleAbandoned(stored: StoredResponse, nowMs: number, afterMs: number): StoredResponse {
  if (stored.response.status !== 'in_progress' || nowMs - stored.createdAt <= afterMs) return stored;
  const minutes = Math.round(afterMs / 60_000);
  const output = stored.response.output.map((item) => ('status' in item && item.status === 'in_progress' ? { ...item, status: 'incomplete' as const } : item));
  return {
    ...stored,
    response: {
      ...stored.response,
      status: 'failed',
      output,
      error: { code: ABANDONED_STREAM_CODE, message: `The gateway stopped while streaming this response (still in progress after ${minutes} minutes); send the request again.` },
    },
  };
}

export interface AbandonedStreamOptions {
  afterMs?: number;
  now?: () => number;
  /** True for a response this process is streaming right now: never abandoned, however old. */
  isLive: (id: string) => boolean;
}

/**
 * The store as readers see it: an abandoned stream (see ABANDONED_STREAM_AFTER_MS) reads as `failed` with a
 * `server_error`, everywhere at once — GET, `previous_response_id` (no longer "still in progress" forever),
 * `item_reference` — and is written back so, once, so the table holds no `in_progress` row older than the bound.
 * Settled when read rather than swept at start-up: with PostgreSQL, instances share the table, and a starting
 * instance cannot tell a dead instance's stream from a live one's except by age. A stream that does outlive the
 * bound on another instance still ends with its real outcome: its last save replaces the failed copy.
 *
 * @example
 * const readable = failAbandonedStreams(store, { isLive: (id) => streaming.has(id) });
 */
export function failAbandonedStreams(store: ResponseStore, { afterMs = ABANDONED_STREAM_AFTER_MS, now = Date.now, isLive }: AbandonedStreamOptions): ResponseStore {
  return {
    get description() {
      return store.description;
    },
    migrate: () => store.migrate(),
    save: (stored) => store.save(stored),
    replace: (stored) => saveIfStillStored(store, stored),
    delete: (id, owner) => store.delete(id, owner),
    close: () => store.close(),
    async get(id, owner) {
      const stored = await store.get(id, owner);
      if (stored === undefined || isLive(stored.id)) return stored;
      const settled = settleAbandoned(stored, now(), afterMs);
      // Best effort: the next read settles it again if this write fails.
      if (settled !== stored) await saveIfStillStored(store, settled).catch(() => false);
      return settled;
    },
  };
}
