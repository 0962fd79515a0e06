import type { LedgerRow } from '../ledger/ledger-row.js';
import { storableLedgerRow } from '../ledger/ledger-row-codec.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { RowHold } from '../request/request-context.js';
import type { BatchStore, UnrecordedLine } from './batch-store.js';

/**
 * A line's ledger rows, held back from the ledger until the line's result is stored with them.
 *
 * The order is what makes a batch exact across a `kill -9`: result and rows land in the batch store in one write,
 * and only then do the rows go to the ledger. Had the row gone first, a crash before the result was stored would run
 * the line again (a second paid call); had the result gone alone, a crash before the ledger had the row would lose
 * it. The reconciler (below) finishes the second half for lines whose process died in between.
 */
export interface HeldRows {
  /** For the pipeline (CallerContext.holdRow) or recordRequest. */
  hold: RowHold;
  rows(): LedgerRow[];
  /** Hands every held row to the ledger. */
  release(): void;
}

export function holdRows(): HeldRows {
  const held: Array<{ row: LedgerRow; record: () => void }> = [];
  return {
    // The pipeline builds every row with the ledger's row builder: the id-only type is the request layer's view of it.
    hold: (row, record) => void held.push({ row: row as LedgerRow, record }),
    rows: () => held.map((entry) => entry.row),
    release() {
      for (const entry of held.splice(0)) entry.record();
    },
  };
}

export interface RowReconciler {
  /** The rows of this line were handed to this process's ledger writer: never record them again from here. */
  releasedHere(rows: readonly LedgerRow[]): void;
  /** One pass: clears lines whose rows the ledger has, records the rows a dead process never wrote. */
  reconcile(now: number): Promise<{ stored: number; recorded: number }>;
}

/**
 * Lines done at least `graceMs` ago whose rows are kept in the batch store: rows the ledger has (`countStored`, the
 * spool replay's own check) are cleared; rows it lacks were lost with the process that held them (this process's
 * own rows are in its writer and are left alone) and are recorded again, once.
 */
export function createRowReconciler(store: BatchStore, ledgerStore: Pick<LedgerStore, 'countStored'>, sink: LedgerSink | undefined, graceMs: number, onAbandon?: (line: UnrecordedLine) => void): RowReconciler {
  // A row this process handed its writer that the ledger still lacks after this long was dropped or refused by it
  // (the writer reported that, and quarantined a refused row): the line stops waiting for it.
  const abandonAfterMs = Math.max(10 * graceMs, 5 * 60_000);
  // Row ids this process gave its writer (or re-recorded) and the store did not have yet at the last look.
  const mine = new Set<string>();
  // Rows replayed from a dead process's spool, or handed over at start-up, get the same grace as a live writer's.
  const startedAt = Date.now();
  return {
    releasedHere(rows) {
      for (const row of rows) mine.add(row.id);
    },
    async reconcile(now) {
      let stored = 0;
      let recorded = 0;
      if (now < startedAt + graceMs) return { stored, recorded };
      for (;;) {
        const lines = await store.unrecordedLines(now - graceMs, 200);
        if (lines.length === 0) break;
        // Compared as stored, as the spool replay does: the store keeps text made storable.
        const counts = await ledgerStore.countStored(lines.flatMap((line) => line.rows.map(storableLedgerRow)));
        let at = 0;
        const done = new Map<string, number[]>();
        // The line's rows are no longer kept: nothing more to wait for or record.
        const clear = (line: UnrecordedLine) => {
          for (const row of line.rows) mine.delete(row.id);
          done.set(line.batchId, [...(done.get(line.batchId) ?? []), line.lineNo]);
        };
        for (const line of lines) {
          const lineCounts = counts.slice(at, at + line.rows.length);
          at += line.rows.length;
          if (lineCounts.every((count) => count > 0)) {
            clear(line);
            stored += 1;
            continue;
          }
          if (now - line.doneAt > abandonAfterMs && line.rows.every((row, index) => lineCounts[index] > 0 || mine.has(row.id))) {
            onAbandon?.(line);
            clear(line);
            continue;
          }
          line.rows.forEach((row, index) => {
            if (lineCounts[index] > 0 || mine.has(row.id)) return;
            sink?.record(row);
            mine.add(row.id);
            recorded += 1;
          });
        }
        for (const [batchId, lineNos] of done) await store.rowsStored(batchId, lineNos);
        // Lines still waiting for a writer come back first on the next query: go on only while lines clear.
        if (done.size === 0 || lines.length < 200) break;
      }
      return { stored, recorded };
    },
  };
}
