import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow } from './ledger-row.js';
import type { REPORT_DIMENSIONS } from './report-dimensions.js';
import type { ReportFilter } from './report-filter.js';

/** What a report groups by. The list is the table in report-dimensions.ts: one entry adds a dimension. */
export type ReportDimension = keyof typeof REPORT_DIMENSIONS;

/** Time bounds are ms since the epoch, half-open: `since <= ts < until`. */
export interface TimeRange {
  since?: number;
  until?: number;
}

export interface ReportQuery extends TimeRange {
  by: ReportDimension;
  /** A second dimension within the first (e.g. by route, then by cache status): groups read "route / hit". */
  then?: ReportDimension;
  /** Only rows in these groups (all must hold), e.g. team = growth: `report --where team=growth`. */
  where?: readonly ReportFilter[];
}

export interface RowsQuery extends TimeRange {
  /** At most this many rows, oldest first. */
  limit?: number;
}

/** One group of a report. Every sum is exact: the database's integers, never a float on the way. */
export interface ReportRow {
  /** The group's value; null when the rows have none (no tag, no served model, no route). */
  group: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  costNanos: bigint;
  /** What Frugal saved against the baseline model, exact; and the parts by mechanism. */
  savedNanos: bigint;
  baselineNanos: bigint;
  savedRoutingNanos: bigint;
  savedCacheNanos: bigint;
  savedCompressionNanos: bigint;
  savedPromptCacheNanos: bigint;
  savedBatchNanos: bigint;
  savedBatchingNanos: bigint;
  /** Not a saving: what callers' own choice of a cheaper model than the baseline came to (see LedgerRow). */
  callerChoiceNanos: bigint;
  /** Rows with status `error` (a client that walked away is not an error). */
  errors: number;
  /** Rows whose tokens were counted by us because the provider reported no usage. */
  estimatedRows: number;
}

/**
 * Where ledger rows live. SQLite and Postgres implement it with the same schema and migrations; both pass
 * the conformance suite in ledger-store.case.ts.
 */
export interface LedgerStore {
  /** Brings the schema up to date. Idempotent, and safe when two processes start at once. */
  migrate(): Promise<void>;
  /**
   * Writes the rows atomically: all of them or none. Rejects with LedgerRowsRefusedError when the database
   * refused the data itself (the same rows would fail on every retry), with another error when the store failed.
   */
  insert(rows: LedgerRow[]): Promise<void>;
  /**
   * How many stored rows share each key's id and start time, in the keys' order. A spool replay inserts only
   * the copies the store does not have yet; ids alone may repeat (a caller-supplied x-request-id).
   */
  countStored(keys: ReadonlyArray<Pick<LedgerRow, 'id' | 'ts'>>): Promise<number[]>;
  /** Groups, most expensive first (chronological for day and week). */
  report(query: ReportQuery): Promise<ReportRow[]>;
  /** Rows oldest first, in insertion order within the same ms. */
  rows(query: RowsQuery): Promise<LedgerRow[]>;
  close(): Promise<void>;
}

/**
 * The database refused the rows' data, not the connection: retrying the same rows fails the same way, so the
 * writer isolates the row at fault instead of retrying the batch forever.
 */
export class LedgerRowsRefusedError extends FrugalError {
  constructor(message: string, cause?: unknown) {
    super('internal_error', message, { cause, retryable: false });
    this.name = 'LedgerRowsRefusedError';
  }
}
