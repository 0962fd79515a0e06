import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerRow } from './ledger-row.js';

export interface LedgerSpoolOptions {
  /** The spool's own directory (serve uses `<data_dir>/spool`); created if missing. */
  dir: string;
  /** A segment this large is closed and a new one started, so written-out segments can be deleted whole. */
  maxSegmentBytes?: number;
  /** A failed spool write or delete. Default: a process warning. */
  onError?: (error: unknown) => void;
}

/**
 * The durable side of `ledger.durability: spool`. Rows are appended to JSON-lines segment files and fsynced in
 * groups: every row appended while one fsync runs goes out in the next, so a busy gateway pays one fsync per
 * group, not per request. A segment is deleted once every row in it is in the store (or quarantined); whatever
 * is left when the process dies is replayed at the next start (replaySpool).
 */
export interface LedgerSpool {
  /** Buffers a row for the next group write. Synchronous, O(1), no I/O: it runs on the request path. */
  append(row: LedgerRow): void;
  /** Resolves once every row appended so far is on disk; rejects if the group holding one could not be written. */
  synced(): Promise<void>;
  /** These rows are in the store (or the quarantine file): the spool no longer needs them. */
  settle(rows: readonly LedgerRow[]): void;
  /** Writes what is buffered, then deletes the segments whose rows are all settled; the rest wait for the next start. */
  close(): Promise<void>;
}

/** What an earlier process left in the spool: rows that may or may not have reached the store. */
export interface SpoolLeftover {
  rows: LedgerRow[];
  files: string[];
  /** Lines that did not parse: the last line of a segment cut off by a crash mid-write. */
  tornLines: number;
}

interface Segment {
  path: string;
  handle: FileHandle | undefined;
  bytes: number;
  /** Rows written here and not yet settled. */
  outstanding: number;
  sealed: boolean;
}

const SEGMENT_NAME = /^spool-(\d{12})\.jsonl$/;

function warn(error: unknown) {
  process.emitWarning(error instanceof Error ? error : String(error), 'FrugalLedgerWarning');
}

/** Reads the segments an earlier process left, oldest first. */
async function readLeftover(dir: string): Promise<SpoolLeftover & { lastNumber: number }> {
  const names = (await readdir(dir)).filter((name) => SEGMENT_NAME.test(name)).sort();
  const leftover = { rows: [] as LedgerRow[], files: [] as string[], tornLines: 0, lastNumber: 0 };
  for (const name of names) {
    const path = join(dir, name);
    leftover.files.push(path);
    leftover.lastNumber = Number(SEGMENT_NAME.exec(name)![1]);
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      if (line === '') continue;
      try {
        leftover.rows.push(JSON.parse(line) as LedgerRow);
      } catch {
        leftover.tornLines += 1;
      }
    }
  }
  return leftover;
}

/** fsync of the directory: without it a new segment's name may not survive a power cut, whatever its contents. */
async function syncDirectory(dir: string) {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens the spool in `dir`, returning what an earlier process left there (replay it before serving).
 *
 * @example
 * const { spool, leftover } = await openLedgerSpool({ dir: '.frugal/spool' });
 * const writer = createLedgerWriter(store, { spool });
 * await replaySpool(leftover, store, writer);
 */
export async function openLedgerSpool({ dir, maxSegmentBytes = 4 * 1024 * 1024, onError = warn }: LedgerSpoolOptions): Promise<{ spool: LedgerSpool; leftover: SpoolLeftover }> {
  await mkdir(dir, { recursive: true });
  const { lastNumber, ...leftover } = await readLeftover(dir);
  let nextNumber = lastNumber + 1;
  let buffer: LedgerRow[] = [];
  let appended = 0;
  let durable = 0;
  let waiters: Array<{ upTo: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  const segmentOf = new WeakMap<LedgerRow, Segment>();
  // Rows the writer stored before their group reached the disk: nothing left to make durable.
  const settledEarly = new WeakSet<LedgerRow>();
  let active: Segment | undefined;
  let writing: Promise<void> | undefined;
  let scheduled = false;

  function remove(segment: Segment) {
    unlink(segment.path).catch(onError);
  }

  async function seal(segment: Segment) {
    await segment.handle?.close();
    segment.handle = undefined;
    segment.sealed = true;
    if (segment.outstanding === 0) await unlink(segment.path).catch(onError);
  }

  async function activeSegment(): Promise<Segment> {
    // Rotate when full, or when every row in it is settled: then the old file goes at once, and a restart
    // after a quiet spell finds nothing to replay.
    if (active && (active.bytes >= maxSegmentBytes || (active.outstanding === 0 && active.bytes > 0))) {
      const old = active;
      active = undefined;
      await seal(old);
    }
    if (!active) {
      const path = join(dir, `spool-${String(nextNumber).padStart(12, '0')}.jsonl`);
      nextNumber += 1;
      const handle = await open(path, 'a');
      await syncDirectory(dir);
      active = { path, handle, bytes: 0, outstanding: 0, sealed: false };
    }
    return active;
  }

  function release(error?: unknown) {
    const still: typeof waiters = [];
    for (const waiter of waiters) {
      if (error !== undefined) waiter.reject(error);
      else if (waiter.upTo <= durable) waiter.resolve();
      else still.push(waiter);
    }
    waiters = still;
  }

  async function writeGroups() {
    while (buffer.length > 0) {
      const segment = await activeSegment();
      // From here to the write, nothing awaits: every row of the group belongs to this segment before a
      // settle() can arrive for it.
      const group = buffer;
      buffer = [];
      const rows = group.filter((row) => !settledEarly.has(row));
      if (rows.length > 0) {
        for (const row of rows) segmentOf.set(row, segment);
        segment.outstanding += rows.length;
        const text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
        segment.bytes += Buffer.byteLength(text);
        await segment.handle!.write(text);
        await segment.handle!.datasync();
      }
      durable += group.length;
      release();
    }
  }

  function startWriting() {
    scheduled = false;
    if (writing) return;
    writing = writeGroups()
      .catch((error: unknown) => {
        // The group is not on disk: its waiters learn it (their requests cannot be acknowledged as durable).
        // The rows are still in the writer's queue; the next group starts a fresh segment.
        durable = appended - buffer.length;
        release(error);
        onError(error);
        if (active) {
          const broken = active;
          active = undefined;
          void seal(broken).catch(() => {});
        }
      })
      .finally(() => {
        writing = undefined;
        if (buffer.length > 0) schedule();
      });
  }

  function schedule() {
    if (scheduled || writing) return;
    scheduled = true;
    // Rows appended in the same turn of the event loop share one write and one fsync.
    setImmediate(startWriting);
  }

  let closed = false;
  const spool: LedgerSpool = {
    append(row) {
      if (closed) return;
      buffer.push(row);
      appended += 1;
      schedule();
    },
    synced() {
      if (durable >= appended) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ upTo: appended, resolve, reject }));
    },
    settle(rows) {
      for (const row of rows) {
        const segment = segmentOf.get(row);
        if (segment === undefined) {
          settledEarly.add(row);
          continue;
        }
        segmentOf.delete(row);
        segment.outstanding -= 1;
        if (segment.sealed && segment.outstanding === 0) remove(segment);
      }
    },
    async close() {
      closed = true;
      while (writing || buffer.length > 0) {
        if (!writing) startWriting();
        await writing;
      }
      if (active) {
        const last = active;
        active = undefined;
        await seal(last);
      }
    },
  };
  return { spool, leftover };
}
