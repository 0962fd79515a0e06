import type { ReportDimension, TimeRange } from '../ledger/ledger-store.js';

export const FEEDBACK_TABLE = 'frugal_feedback';

/**
 * Who gave a score: the end user (thumbs), a human reviewer, the application itself (e.g. "the email was sent"),
 * or a judge model Frugal ran on a sampled answer (src/quality).
 */
export const FEEDBACK_SOURCES = ['user', 'reviewer', 'app', 'judge'] as const;
export type FeedbackSource = (typeof FEEDBACK_SOURCES)[number];

/** The sources a caller may claim over the API: `judge` scores are written by Frugal's own judges only. */
export const CALLER_FEEDBACK_SOURCES: readonly FeedbackSource[] = ['user', 'reviewer', 'app'];

/** A request as the ledger knows it: enough to say who may score it and to join scores to its row. */
export interface ScoredRequest {
  id: string;
  /** The row's start time (ms): with the id, it names one row even when a caller reused an x-request-id. */
  ts: number;
  /** The virtual key that made it; null on a keyless gateway. */
  keyId: string | null;
}

/** One score as it is kept; never changed once written. */
export interface FeedbackEntry {
  id: string;
  requestId: string;
  requestTs: number;
  /** Several named scores per request (`helpful`, `correct`); `default` when the caller names none. */
  name: string;
  /** In [0, 1]: thumbs are 0 and 1, Portkey's −10…10 is mapped linearly. */
  score: number;
  comment: string | null;
  source: FeedbackSource;
  /** The key id that sent it, `master`, or null on an open gateway. */
  scoredBy: string | null;
  /** What the caller attached (Portkey's metadata and weight), as given. */
  metadata: Record<string, unknown> | null;
  /** ms since the epoch. */
  createdAt: number;
}

export type NewFeedback = Omit<FeedbackEntry, 'id' | 'createdAt'>;

export interface ScoreStatsQuery extends TimeRange {
  by: ReportDimension;
  then?: ReportDimension;
  /** Which named score (default `default`). */
  name?: string;
}

/**
 * Sufficient statistics of the current scores of one report group (the ledger rows' dimension value, raw as
 * the database returns it). Additive, so a total is the sum of the groups.
 */
export interface ScoreGroup {
  group: string | null;
  group2: string | null;
  scored: number;
  sum: number;
  sumOfSquares: number;
  /** Scores that are exactly 0 or 1: when all are, the group is thumbs and gets a Wilson interval. */
  binary: number;
  /** Scores that are exactly 1. */
  ones: number;
}

/**
 * Feedback in the ledger's database (SQLite or PostgreSQL). Append-only: an update is a new entry, and the
 * current score of a (request, name) is its latest entry. Both backends pass feedback-store.case.ts.
 */
export interface FeedbackStore {
  /** Brings the schema up to date (the ledger's migrations, which create the feedback table). */
  migrate(): Promise<void>;
  /** The ledger rows with this id, newest first (ids repeat only when callers reuse an x-request-id). */
  findRequests(requestId: string): Promise<ScoredRequest[]>;
  /** Appends a score; returns it with its id and time. */
  add(feedback: NewFeedback): Promise<FeedbackEntry>;
  /** Every score of one request, oldest first, all names. */
  history(request: Pick<ScoredRequest, 'id' | 'ts'>): Promise<FeedbackEntry[]>;
  /** Score statistics per report group over the ledger rows in the time range, from each request's current score. */
  scoreStats(query: ScoreStatsQuery): Promise<ScoreGroup[]>;
  close(): Promise<void>;
}

/** The latest entry per name, in the order names were first scored. */
export function currentScores(history: readonly FeedbackEntry[]): FeedbackEntry[] {
  const latest = new Map<string, FeedbackEntry>();
  for (const entry of history) latest.set(entry.name, entry);
  return [...latest.values()];
}
