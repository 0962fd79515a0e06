import { unlink } from 'node:fs/promises';
import { storableLedgerRow } from './ledger-row-codec.js';
import type { LedgerSpool, SpoolLeftover } from './ledger-spool.js';
import type { LedgerStore } from './ledger-store.js';

export interface ReplayResult {
  /** Rows the store did not have: recorded again (into the new spool segment and the writer). */
  replayed: number;
  /** Rows the store already had: the process died after writing them, before the spool learnt it. */
  alreadyStored: number;
  tornLines: number;
}

/** Where replayed rows go: the ledger writer, which spools them again before they are written. */
interface RowRecorder {
  record(row: SpoolLeftover['rows'][number]): void;
}

/**
 * Puts back what an earlier process left in the spool, exactly once: the store is asked how many rows it holds
 * for each (id, start time) — ids alone may repeat — and only the copies beyond that are recorded. The old
 * segments are deleted once the replayed rows are durable in the new spool, so a crash during replay loses
 * nothing and a second replay adds nothing.
 *
 * @example
 * const { spool, leftover } = await openLedgerSpool({ dir });
 * const writer = createLedgerWriter(store, { spool });
 * await replaySpool(leftover, store, writer, spool);
 */
export async function replaySpool(leftover: SpoolLeftover, store: LedgerStore, writer: RowRecorder, spool: LedgerSpool): Promise<ReplayResult> {
  let replayed = 0;
  if (leftover.rows.length > 0) {
    // Compared as stored: the store keeps text made storable (NUL and over-long ids changed).
    const keys = leftover.rows.map((row) => {
      const stored = storableLedgerRow(row);
      return { id: stored.id, ts: stored.ts };
    });
    const counts = await store.countStored(keys);
    const seen = new Map<string, number>();
    leftover.rows.forEach((row, index) => {
      const key = `${keys[index].ts}:${keys[index].id}`;
      const copy = (seen.get(key) ?? 0) + 1;
      seen.set(key, copy);
      if (copy > counts[index]) {
        writer.record(row);
        replayed += 1;
      }
    });
    await spool.synced();
  }
  for (const file of leftover.files) await unlink(file);
  return { replayed, alreadyStored: leftover.rows.length - replayed, tornLines: leftover.tornLines };
}
