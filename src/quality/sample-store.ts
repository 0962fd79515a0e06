export const SAMPLES_TABLE = 'frugal_samples';

/** One sampled request and its answer, as kept: texts already redacted, never a key. */
export interface Sample {
  requestId: string;
  /** The ledger row's start time (ms): with the id it names one row, as feedback does. */
  requestTs: number;
  /** The quality config name it was sampled under (a route or model name). */
  route: string;
  /** The model that served it. */
  model: string | null;
  task: string | null;
  /** The virtual key's public id (never the key). */
  keyId: string | null;
  /** The request's messages as JSON, redacted; null when the route stores no bodies. */
  requestJson: string | null;
  /** The answer's text, redacted; null when the route stores no bodies. */
  answer: string | null;
  createdAt: number;
  /** When the retention job deletes it (ms since the epoch). */
  expiresAt: number;
}

export interface AwaitingReviewQuery {
  route?: string;
  /** Oldest first within the newest `limit` (default 20). */
  limit?: number;
}

/**
 * Sampled requests and answers in the ledger's database (SQLite or PostgreSQL). Both backends pass
 * sample-store.case.ts.
 */
export interface SampleStore {
  /** Brings the schema up to date (the ledger's migrations create the table). */
  migrate(): Promise<void>;
  /** Writes a batch in one statement per row inside one call; the writer batches off the reply path. */
  insert(samples: readonly Sample[]): Promise<void>;
  /** The sample of one request (the newest when a caller reused an id). */
  get(requestId: string): Promise<Sample | undefined>;
  /** Samples nobody has graded as `reviewer` yet, newest first. */
  awaitingReview(query?: AwaitingReviewQuery): Promise<Sample[]>;
  /** Deletes samples whose retention ended before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
  close(): Promise<void>;
}
