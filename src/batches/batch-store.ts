import type { LedgerRow } from '../ledger/ledger-row.js';
import type { BatchLine, BatchStatus, BatchTimestamp, LineCounts, LineLane, LineResult, NewLine, Page, StoredBatch, StoredFile, UpstreamBatch } from './batch-types.js';

/** A done line's ledger rows, kept until the ledger has them. */
export interface UnrecordedLine {
  batchId: string;
  lineNo: number;
  doneAt: number;
  rows: LedgerRow[];
}

export interface NewFile {
  id: string;
  owner: string;
  filename: string;
  purpose: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface ListOptions {
  owner: string;
  /** The id of the last item of the previous page. */
  after?: string;
  limit: number;
  /** Only files of this purpose. */
  purpose?: string;
  /** Files: `desc` (newest first, the default) or `asc`. Batches are always newest first. */
  order?: 'asc' | 'desc';
}

export interface BatchUpdate {
  status?: BatchStatus;
  /** Set these timestamps (ms). */
  times?: Partial<Record<BatchTimestamp, number>>;
  outputFileId?: string | null;
  errorFileId?: string | null;
  errors?: StoredBatch['errors'];
  total?: number;
}

/**
 * Files and batches, durable: SQLite beside the ledger (file bytes under the data dir) or PostgreSQL (file bytes
 * in bytea chunks). Every implementation runs `batch-store.case.ts`.
 *
 * Lines are the unit of idempotency: a line is claimed before it runs and completed once — `completeLine` on a line
 * already done changes nothing and returns false, so a line redelivered after a crash is never recorded twice.
 * Owners scope every read a caller makes: a key sees only its own files and batches.
 */
export interface BatchStore {
  readonly description: string;
  migrate(): Promise<void>;

  /** Streams `content` into the store; throws (and keeps nothing) if it passes `maxBytes`. */
  putFile(file: NewFile, content: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile>;
  /** `owner` undefined: any owner (Frugal's own reads). */
  getFile(id: string, owner?: string): Promise<StoredFile | undefined>;
  /** The file's bytes, a chunk at a time (never the whole file in memory). */
  readFile(id: string): AsyncIterable<Buffer>;
  listFiles(options: ListOptions): Promise<Page<StoredFile>>;
  deleteFile(id: string, owner: string): Promise<boolean>;

  createBatch(batch: StoredBatch): Promise<void>;
  getBatch(id: string, owner?: string): Promise<StoredBatch | undefined>;
  listBatches(options: ListOptions): Promise<Page<StoredBatch>>;
  /** Applies `update` if the batch is in one of `from` (any status when omitted); returns whether it did. */
  updateBatch(id: string, update: BatchUpdate, from?: readonly BatchStatus[]): Promise<boolean>;
  /** Batches in these states, oldest first (recovery and the background poller). */
  batchesIn(states: readonly BatchStatus[], limit: number): Promise<StoredBatch[]>;
  /** Deletes a batch and its lines (a batch refused at creation). */
  deleteBatch(id: string): Promise<void>;

  /** Adds lines (all or none). A line number already stored is kept as it is. */
  addLines(batchId: string, lines: readonly NewLine[]): Promise<void>;
  /** Lines in [fromLine, toLine], in order. */
  lines(batchId: string, fromLine: number, toLine: number): Promise<BatchLine[]>;
  /** Open lines of a lane (pending, or running with a lapsed lease), in order, at most `limit`. */
  openLines(batchId: string, lane: LineLane, limit: number): Promise<BatchLine[]>;
  /** Takes a pending line, or a running one whose lease lapsed, for `owner` until `leaseUntil`. False: someone else has it, or it is done. */
  claimLine(batchId: string, lineNo: number, leaseUntil: number, owner?: string): Promise<boolean>;
  /** Extends `owner`'s lease on a running line (a long call); false when the line is no longer theirs. */
  renewLine(batchId: string, lineNo: number, leaseUntil: number, owner: string): Promise<boolean>;
  /** Marks lines as sent in `upstreamId` (native lanes). */
  markSubmitted(batchId: string, lineNos: readonly number[], upstreamId: string): Promise<void>;
  /**
   * Records a line's result once; false when it was already done (nothing changed). `ledgerRows`, the line's ledger
   * rows, are kept with it in the same write until `rowsStored` says the ledger has them.
   */
  completeLine(batchId: string, lineNo: number, result: LineResult, ledgerRows?: readonly LedgerRow[]): Promise<boolean>;
  /**
   * Keeps the ledger rows of a line a provider ran although Frugal had already ended it (cancelled while its submission
   * was on the way, so never marked as sent), once: the line is marked as run in `upstreamId`, its result left as the
   * caller was told. False when it already was, or is not such a line.
   */
  keepLateRows(batchId: string, lineNo: number, upstreamId: string, ledgerRows: readonly LedgerRow[]): Promise<boolean>;
  /** Done lines whose ledger rows the ledger may not have yet, completed before `doneBefore`, oldest first. */
  unrecordedLines(doneBefore: number, limit: number): Promise<UnrecordedLine[]>;
  /** The ledger has these lines' rows: they are no longer kept here. */
  rowsStored(batchId: string, lineNos: readonly number[]): Promise<void>;
  /**
   * Completes every pending line, and every running one whose lease lapsed, with `result(line)` (expiry, cancel).
   * Lines submitted to a provider wait for its results: it may have billed them. Lines `keep` answers true for are
   * left as they are (a run still in progress in this process). Returns how many.
   */
  completeOpenLines(batchId: string, now: number, result: (line: BatchLine) => LineResult, keep?: (line: BatchLine) => boolean): Promise<number>;
  counts(batchId: string): Promise<LineCounts>;
  /** Done lines of one kind (ok = output file, not ok = error file), in line order, from line `afterLine` + 1. */
  results(batchId: string, ok: boolean, afterLine: number, limit: number): Promise<Array<{ lineNo: number; result: LineResult }>>;

  saveUpstream(upstream: UpstreamBatch): Promise<void>;
  upstreams(batchId: string): Promise<UpstreamBatch[]>;
  /** Every open upstream batch (the poller's list). */
  openUpstreams(limit: number): Promise<UpstreamBatch[]>;
  close(): Promise<void>;
}
