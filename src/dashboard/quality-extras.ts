import { FrugalError } from '../errors/frugal-error.js';
import { formatExperimentJson } from '../experiments/experiment-report.js';
import { readExperimentStats } from '../experiments/experiment-stats.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { SqlClient } from '../keys/sql-client.js';
import type { SampleStore } from '../quality/sample-store.js';
import type { DashboardViewer } from './dashboard-session.js';

/** What the Quality page's experiments and review queue read: the stores `frugal report --experiment` and `frugal review` use. */
export interface QualityExtrasSources {
  /** A client on the ledger's database (experiment arms). */
  ledgerSql?: SqlClient;
  /** The experiment names configured now, offered by the page. */
  experimentNames?: () => readonly string[];
  samples?: SampleStore;
  feedback?: FeedbackStore;
}

// Not for an open gateway's anyone either: the review queue holds other callers' prompts and answers, and a grade
// is written as a reviewer's. An open dashboard shows spend, never content.
function masterOnly(viewer: DashboardViewer, what: string): void {
  if (viewer.kind !== 'admin') throw new FrugalError('permission_denied', `${what} is shown to the master key only.`);
}

/** `frugal report --experiment NAME --json`, the same numbers (default: the first configured experiment), and the configured names. */
export async function experimentData(sources: QualityExtrasSources, viewer: DashboardViewer, query: { name?: string; score?: string; since?: number; until?: number }) {
  masterOnly(viewer, 'Experiments');
  const names = [...(sources.experimentNames?.() ?? [])];
  if (!sources.ledgerSql) return { available: false, names, report: null };
  // Without a name: the first configured experiment (none configured: nothing to show).
  const name = query.name ?? names[0];
  if (name === undefined) return { available: true, names, report: null };
  const score = query.score ?? 'judge';
  const stats = await readExperimentStats(sources.ledgerSql, name, score, { since: query.since, until: query.until });
  return { available: true, names, report: JSON.parse(formatExperimentJson(stats, score)) as unknown };
}

/** Sampled answers no reviewer has graded yet (as `frugal review --json` lists them): texts already redacted. */
export async function reviewQueueData(sources: QualityExtrasSources, viewer: DashboardViewer, query: { route?: string; limit: number }) {
  masterOnly(viewer, 'The review queue');
  if (!sources.samples) return { available: false, samples: [] };
  return { available: true, samples: await sources.samples.awaitingReview({ route: query.route, limit: query.limit }) };
}

/** A reviewer's grade, recorded as `frugal review ID --score S` records it (feedback source `reviewer`). */
export async function recordReview(sources: QualityExtrasSources, viewer: DashboardViewer, requestId: string, body: unknown) {
  masterOnly(viewer, 'Grading');
  if (!sources.feedback) throw new FrugalError('not_found', 'This gateway has no feedback store to record a grade in.');
  const { score, name = 'default', comment = null } = (body ?? {}) as { score?: unknown; name?: unknown; comment?: unknown };
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) throw new FrugalError('invalid_request', 'score must be a number from 0 to 1', { param: 'score' });
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new FrugalError('invalid_request', 'name must be a score name', { param: 'name' });
  if (comment !== null && (typeof comment !== 'string' || comment.length > 2000)) throw new FrugalError('invalid_request', 'comment must be text of at most 2000 characters', { param: 'comment' });
  const [request] = await sources.feedback.findRequests(requestId);
  if (!request) throw new FrugalError('not_found', `no request '${requestId}' in the ledger`, { param: 'request_id' });
  return sources.feedback.add({ requestId, requestTs: request.ts, name, score, comment, source: 'reviewer', scoredBy: 'dashboard', metadata: null });
}
