import type { LedgerRow } from '../ledger/ledger-row.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { ScoredRequest } from './feedback-store.js';

export interface RecentRequests {
  /** The sink to give the gateway: notes each row's id, start and key (O(1), no I/O), then passes the row on. */
  sink(inner: LedgerSink): LedgerSink;
  /** The newest request this instance recorded with that id, written to the ledger or still in the writer's batch. */
  get(id: string): ScoredRequest | undefined;
  readonly size: number;
}

/**
 * The last `maxEntries` requests this gateway served. Ledger rows are written in batches (every
 * ledger.flush_interval_ms), so an application that scores a reply the moment it arrives would find no row yet;
 * this answers for the batch in flight. Bounded, oldest forgotten first; a forgotten request is in the ledger.
 *
 * @example
 * const recent = createRecentRequests();
 * const gateway = createGatewayFromConfig(config, recent.sink(writer));
 */
export function createRecentRequests({ maxEntries = 10_000 }: { maxEntries?: number } = {}): RecentRequests {
  const byId = new Map<string, ScoredRequest>();
  function remember(row: LedgerRow) {
    // Re-inserted, so a reused id moves to the newest end and the map's order stays the age order.
    byId.delete(row.id);
    byId.set(row.id, { id: row.id, ts: row.ts, keyId: row.keyId });
    if (byId.size > maxEntries) byId.delete(byId.keys().next().value as string);
  }
  return {
    sink: (inner) => ({
      record(row) {
        remember(row);
        inner.record(row);
      },
    }),
    get: (id) => byId.get(id),
    get size() {
      return byId.size;
    },
  };
}
