import { FEEDBACK_TABLE } from '../feedback/feedback-store.js';
import type { ScoreSums } from '../feedback/score-interval.js';
import type { SqlClient } from '../keys/sql-client.js';
import { LEDGER_TABLE } from '../ledger/migrations.js';
import { dimensionSpec } from '../ledger/report-sql.js';

/** The signals a route's quality is watched on: three score names, and escalations as 0/1 outcomes. */
export const QUALITY_SIGNALS = ['score', 'judge', 'judge_win', 'escalation_rate'] as const;
export type QualitySignal = (typeof QUALITY_SIGNALS)[number];

/** The score name each score signal reads (`score` is the application's default feedback). */
const SCORE_NAMES: Record<Exclude<QualitySignal, 'escalation_rate'>, string> = { score: 'default', judge: 'judge', judge_win: 'judge_win' };

export type QualityWindow = Record<QualitySignal, ScoreSums>;

/** Sums of every signal per group (route, model or task) over one time window, caller traffic only. */
export type QualityWindowReader = (by: 'route' | 'model' | 'task', since: number, until: number) => Promise<Map<string, QualityWindow>>;

const numberOf = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));
const empty = (): ScoreSums => ({ scored: 0, sum: 0, sumOfSquares: 0, binary: 0, ones: 0 });
const emptyWindow = (): QualityWindow => ({ score: empty(), judge: empty(), judge_win: empty(), escalation_rate: empty() });

/**
 * Reads quality windows from the ledger's database: current scores joined to the rows (overhead rows left out),
 * and each row's escalation (a cascade that went past its first tier) as a 0/1 outcome.
 */
export function createQualityWindowReader(client: SqlClient): QualityWindowReader {
  const d = client.dialect;
  const ledger = d.table(LEDGER_TABLE);
  const feedback = d.table(FEEDBACK_TABLE);
  return async (by, since, until) => {
    const group = dimensionSpec(by).sql(d);
    const result = new Map<string, QualityWindow>();
    const windowOf = (name: unknown) => {
      const key = name === null || name === undefined ? '(none)' : String(name);
      let window = result.get(key);
      if (!window) result.set(key, (window = emptyWindow()));
      return window;
    };
    for (const [signal, name] of Object.entries(SCORE_NAMES) as Array<[keyof typeof SCORE_NAMES, string]>) {
      const rows = await client.all(
        `SELECT ${group} AS grp, COUNT(*) AS scored, SUM(cur.score) AS score_sum, SUM(cur.score * cur.score) AS score_squares, ` +
          `SUM(CASE WHEN cur.score = 0 OR cur.score = 1 THEN 1 ELSE 0 END) AS binary_scores, SUM(CASE WHEN cur.score = 1 THEN 1 ELSE 0 END) AS ones ` +
          `FROM ${ledger} l JOIN (SELECT f.request_id, f.request_ts, f.score FROM ${feedback} f JOIN ` +
          `(SELECT MAX(seq) AS last FROM ${feedback} WHERE name = ${d.param(1)} GROUP BY request_id, request_ts) latest ON latest.last = f.seq) cur ` +
          `ON cur.request_id = l.id AND cur.request_ts = l.ts WHERE l.ts >= ${d.param(2)} AND l.ts < ${d.param(3)} AND l.overhead IS NULL GROUP BY ${group}`,
        [name, since, until],
      );
      for (const row of rows) {
        windowOf(row.grp)[signal] = { scored: numberOf(row.scored), sum: numberOf(row.score_sum), sumOfSquares: numberOf(row.score_squares), binary: numberOf(row.binary_scores), ones: numberOf(row.ones) };
      }
    }
    const escalations = await client.all(
      `SELECT ${group} AS grp, COUNT(*) AS requests, SUM(CASE WHEN l.route_trace LIKE '%cascade:%' THEN 1 ELSE 0 END) AS escalated ` +
        `FROM ${ledger} l WHERE l.ts >= ${d.param(1)} AND l.ts < ${d.param(2)} AND l.overhead IS NULL AND l.status = 'ok' GROUP BY ${group}`,
      [since, until],
    );
    for (const row of escalations) {
      const requests = numberOf(row.requests);
      const escalated = numberOf(row.escalated);
      windowOf(row.grp).escalation_rate = { scored: requests, sum: escalated, sumOfSquares: escalated, binary: requests, ones: escalated };
    }
    return result;
  };
}
