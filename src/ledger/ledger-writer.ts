import { setImmediate as nextTurn } from 'node:timers/promises';
import { FrugalError } from '../errors/frugal-error.js';
import { publishLedgerRowQuarantined } from '../telemetry/events.js';
import type { LedgerQuarantine } from './ledger-quarantine.js';
import type { LedgerRow } from './ledger-row.js';
import { ledgerRowProblem } from './ledger-row-codec.js';
import type { LedgerSpool } from './ledger-spool.js';
import { LedgerRowsRefusedError, type LedgerStore } from './ledger-store.js';

export interface LedgerWriterOptions {
  flushIntervalMs?: number;
  /** Rows per store.insert call. */
  maxBatch?: number;
  /** Rows that may wait while the store is unreachable; past it the oldest are dropped (reported). */
  maxBuffered?: number;
  /** Longest wait between timed retries after failures (the wait doubles from flushIntervalMs). */
  maxRetryDelayMs?: number;
  /** Failed timed writes, dropped rows, refused rows. Default: a process warning. */
  onError?: (error: unknown) => void;
  /** Where a row the database refuses even alone is kept (quarantineFile). Default: none, the row is dropped (reported). */
  quarantine?: LedgerQuarantine;
  /** `ledger.durability: spool`: every recorded row is appended here first, and settled once it is written. */
  spool?: LedgerSpool;
  now?: () => number;
}

/** Failed attempts of one batch after which its rows are tried one by one, whatever the error said. */
const ISOLATE_AFTER_FAILURES = 3;

export interface LedgerWriter {
  /** Buffers a row. Synchronous, O(1), never throws, never does I/O: it runs on the request path. */
  record(row: LedgerRow): void;
  /** Writes everything recorded so far; rejects (keeping the rows for the next attempt) when the store fails. */
  flush(): Promise<void>;
  /** Stops the timer and flushes; rejects if rows could not be written (they stay in pending()). */
  close(): Promise<void>;
  /** Rows recorded and not yet written. */
  pending(): number;
  /** Resolves once every row recorded so far is durable: in the spool's fsynced file. At once without a spool. */
  durable(): Promise<void>;
}

/** A FIFO with O(1) push and shift: the array is compacted only once half of it is consumed. */
class RowQueue {
  private items: LedgerRow[] = [];
  private head = 0;

  get length() {
    return this.items.length - this.head;
  }

  push(row: LedgerRow) {
    this.items.push(row);
  }

  shift(): LedgerRow | undefined {
    const row = this.items[this.head];
    this.head += 1;
    this.compact();
    return row;
  }

  take(count: number): LedgerRow[] {
    const taken = this.items.slice(this.head, this.head + count);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  private compact() {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

function warn(error: unknown) {
  process.emitWarning(error instanceof Error ? error : String(error), 'FrugalLedgerWarning');
}

/**
 * Batches ledger rows off the request path. Rows are written in the order they were recorded; a failed
 * write keeps its batch and retries it first (with backoff on the timer), so nothing is lost while the
 * store is briefly down.
 *
 * Memory is bounded: past `maxBuffered` waiting rows the oldest are dropped and reported through onError.
 * A gateway whose database is down for hours must keep serving — an unbounded buffer would end in an
 * out-of-memory crash that loses every buffered row and the requests in flight. The oldest rows go first
 * because the newest are what budgets and dashboards need once the store is back, and a dropped range is
 * one contiguous span of time that the report names.
 *
 * @example
 * const writer = createLedgerWriter(store, { onError: (error) => logger.error({ err: error }, 'ledger') });
 * writer.record(row); // on the request path
 * await writer.close(); // on SIGTERM
 */
export function createLedgerWriter(
  store: LedgerStore,
  { flushIntervalMs = 250, maxBatch = 500, maxBuffered = 100_000, maxRetryDelayMs = 30_000, onError = warn, quarantine, spool, now = Date.now }: LedgerWriterOptions = {},
): LedgerWriter {
  if (!(maxBatch >= 1 && maxBuffered >= maxBatch && flushIntervalMs > 0)) {
    throw new FrugalError('config_invalid', `ledger writer: need maxBatch ≥ 1, maxBuffered ≥ maxBatch and flushIntervalMs > 0 (got ${maxBatch}, ${maxBuffered}, ${flushIntervalMs})`);
  }
  const queue = new RowQueue();
  /** The batch being written, or the one that failed and goes first next time. */
  let batch: LedgerRow[] | undefined;
  let draining: Promise<void> | undefined;
  let failures = 0;
  let retryAt = 0;
  let dropped = 0;
  let droppedFrom = 0;
  let droppedTo = 0;
  let immediateQueued = false;
  let closed = false;

  function reportDropped() {
    if (dropped === 0) return;
    const range = `${new Date(droppedFrom).toISOString()} to ${new Date(droppedTo).toISOString()}`;
    onError(new FrugalError('internal_error', `ledger buffer full (${maxBuffered} rows waiting): dropped the ${dropped} oldest rows, from ${range}`));
    dropped = 0;
  }

  /** A row the database refuses goes to the quarantine file (or is dropped without one), never back in line. */
  async function setAside(row: LedgerRow, reason: string) {
    if (quarantine) {
      try {
        await quarantine(row, reason);
      } catch (error) {
        // Not quarantined: it stays in the spool (if any) for the next start, and is reported.
        onError(new FrugalError('internal_error', `ledger row ${row.id} dropped: ${reason}; the quarantine file failed too`, { cause: error }));
        return;
      }
      onError(new FrugalError('internal_error', `ledger row ${row.id} quarantined: ${reason}`));
    } else {
      onError(new FrugalError('internal_error', `ledger row ${row.id} dropped: ${reason}`));
    }
    publishLedgerRowQuarantined({ rowId: row.id, reason });
    spool?.settle([row]);
  }

  /**
   * Writes a failed batch one row at a time. A row the database refuses alone is set aside, and so is a row
   * that fails alone while others of its batch are written (whatever its error says, the store is up). When
   * every row fails, the store is down: they are returned, to be retried as a batch.
   */
  async function isolate(rows: LedgerRow[]): Promise<LedgerRow[]> {
    const failed: Array<{ row: LedgerRow; error: unknown }> = [];
    let written = 0;
    for (const row of rows) {
      try {
        await store.insert([row]);
        written += 1;
        spool?.settle([row]);
      } catch (error) {
        if (error instanceof LedgerRowsRefusedError) await setAside(row, error.message);
        else failed.push({ row, error });
      }
      // One-row transactions back to back would stall requests on SQLite, which commits synchronously.
      await nextTurn();
    }
    if (written === 0) return failed.map(({ row }) => row);
    for (const { row, error } of failed) {
      await setAside(row, `failed alone while ${written} rows of its batch were written: ${error instanceof Error ? error.message : String(error)}`);
    }
    return [];
  }

  async function drain(): Promise<void> {
    reportDropped();
    while (batch !== undefined || queue.length > 0) {
      if (batch === undefined) {
        const taken = queue.take(maxBatch);
        batch = [];
        // A row the database must refuse would fail every retry and block every row behind it.
        for (const row of taken) {
          const problem = ledgerRowProblem(row);
          if (problem === undefined) batch.push(row);
          else await setAside(row, problem);
        }
      }
      try {
        await store.insert(batch);
        spool?.settle(batch);
      } catch (error) {
        failures += 1;
        if (error instanceof LedgerRowsRefusedError || (failures >= ISOLATE_AFTER_FAILURES && batch.length > 1)) {
          batch = await isolate(batch);
          if (batch.length === 0) {
            batch = undefined;
            failures = 0;
            retryAt = 0;
            continue;
          }
        }
        retryAt = now() + Math.min(flushIntervalMs * 2 ** failures, maxRetryDelayMs);
        throw error;
      }
      batch = undefined;
      failures = 0;
      retryAt = 0;
      // SQLite commits synchronously: a backlog written back to back would stall every request for the
      // whole backlog. One batch per turn of the event loop lets requests run in between.
      if (queue.length > 0) await nextTurn();
    }
  }

  /** One drain at a time; a caller arriving mid-drain waits for it, then drains what is left. */
  async function flushNow(): Promise<void> {
    while (draining) await draining.catch(() => {});
    draining = drain();
    try {
      await draining;
    } finally {
      draining = undefined;
    }
  }

  function flushInBackground() {
    if (draining || now() < retryAt) return;
    if (batch === undefined && queue.length === 0) return reportDropped();
    flushNow().catch(onError);
  }

  const pending = () => queue.length + (batch?.length ?? 0);

  const timer = setInterval(flushInBackground, flushIntervalMs);
  // The ledger never keeps a process alive on its own; servers call close() on shutdown.
  timer.unref();

  return {
    record(row) {
      if (closed) {
        onError(new FrugalError('internal_error', `ledger writer is closed: row ${row.id} dropped`));
        return;
      }
      // Before the queue: with a spool, a row dropped from memory below is still replayed at the next start.
      spool?.append(row);
      queue.push(row);
      if (queue.length > maxBuffered) {
        const oldest = queue.shift()!;
        if (dropped === 0) droppedFrom = oldest.ts;
        droppedTo = oldest.ts;
        dropped += 1;
      }
      // A full batch goes out without waiting for the timer — on a later turn of the event loop, never here.
      if (queue.length >= maxBatch && !immediateQueued && !draining) {
        immediateQueued = true;
        setImmediate(() => {
          immediateQueued = false;
          flushInBackground();
        }).unref();
      }
    },
    flush: flushNow,
    async close() {
      closed = true;
      clearInterval(timer);
      try {
        await flushNow();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const kept = spool ? '; they are in the spool and will be written at the next start' : '';
        throw new FrugalError('internal_error', `ledger: ${pending()} rows could not be written before shutdown${kept}: ${reason}`, { cause: error });
      } finally {
        await spool?.close();
      }
    },
    pending,
    durable: () => (spool ? spool.synced() : Promise.resolve()),
  };
}
