import { join } from 'node:path';
import { storeError } from '../errors/store-error.js';
import { FEEDBACK_TABLE } from '../feedback/feedback-store.js';
import type { ScoreSums } from '../feedback/score-interval.js';
import { createPostgresSqlClient } from '../keys/postgres-sql-client.js';
import type { SqlClient } from '../keys/sql-client.js';
import { createSqliteSqlClient } from '../keys/sqlite-sql-client.js';
import { LEDGER_TABLE } from '../ledger/migrations.js';

/** One arm of an experiment, as the ledger and the feedback table know it. */
export interface ArmStats {
  arm: string;
  /** True for a shadow arm (its rows are quality overhead, never served). */
  shadow: boolean;
  requests: number;
  errors: number;
  costNanos: bigint;
  /** Latencies of the arm's successful requests, ms, ascending (for percentiles). */
  latenciesMs: number[];
  /** Current scores of the quality score (default `judge`) and of pairwise wins (`judge_win`). */
  quality: ScoreSums;
  wins: ScoreSums;
}

export interface ExperimentStats {
  experiment: string;
  arms: ArmStats[];
  /** What judges spent grading this experiment's answers (quality overhead, apart from the arms' cost). */
  judgeCostNanos: bigint;
}

const NO_SUMS: ScoreSums = { scored: 0, sum: 0, sumOfSquares: 0, binary: 0, ones: 0 };
const numberOf = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));
// SUM over BIGINT: Postgres returns text (NUMERIC), SQLite a number; BigInt keeps sums past 2^53 exact on Postgres.
const bigOf = (value: unknown) => (value === null || value === undefined ? 0n : BigInt(typeof value === 'number' ? Math.round(value) : String(value).split('.')[0]));

/**
 * Reads an experiment's arms from the ledger's database: requests, errors and exact cost per arm (the served
 * arms' rows and the shadow arm's overhead rows), latencies, and the current judge scores joined to the rows.
 */
export async function readExperimentStats(client: SqlClient, experiment: string, scoreName = 'judge', range: { since?: number; until?: number } = {}): Promise<ExperimentStats> {
  const d = client.dialect;
  const ledger = d.table(LEDGER_TABLE);
  const feedback = d.table(FEEDBACK_TABLE);
  // `offset` placeholders come first in the text (SQLite binds `?` by position, Postgres by number).
  const filter = (offset: number) => {
    const params: Array<string | number> = [experiment];
    let sql = `l.experiment = ${d.param(offset + 1)}`;
    if (range.since !== undefined) {
      params.push(range.since);
      sql += ` AND l.ts >= ${d.param(offset + params.length)}`;
    }
    if (range.until !== undefined) {
      params.push(range.until);
      sql += ` AND l.ts < ${d.param(offset + params.length)}`;
    }
    return { sql, params };
  };
  const { sql: where, params } = filter(0);
  const scored = filter(1);
  const armRows = `(l.overhead IS NULL OR l.overhead = 'shadow')`;
  const scores =
    `SELECT l.arm AS arm, COUNT(*) AS scored, SUM(cur.score) AS score_sum, SUM(cur.score * cur.score) AS score_squares, ` +
    `SUM(CASE WHEN cur.score = 0 OR cur.score = 1 THEN 1 ELSE 0 END) AS binary_scores, SUM(CASE WHEN cur.score = 1 THEN 1 ELSE 0 END) AS ones ` +
    `FROM ${ledger} l JOIN (SELECT f.request_id, f.request_ts, f.score FROM ${feedback} f JOIN ` +
    `(SELECT MAX(seq) AS last FROM ${feedback} WHERE name = ${d.param(1)} GROUP BY request_id, request_ts) latest ON latest.last = f.seq) cur ` +
    `ON cur.request_id = l.id AND cur.request_ts = l.ts WHERE ${scored.sql} AND ${armRows} GROUP BY l.arm`;
  try {
    const totals = await client.all(
      `SELECT l.arm AS arm, MAX(CASE WHEN l.overhead = 'shadow' THEN 1 ELSE 0 END) AS shadow, COUNT(*) AS requests, ` +
        `SUM(CASE WHEN l.status = 'ok' THEN 0 ELSE 1 END) AS errors, SUM(l.cost_nanos) AS cost FROM ${ledger} l WHERE ${where} AND ${armRows} GROUP BY l.arm ORDER BY l.arm`,
      params,
    );
    const latencies = await client.all(`SELECT l.arm AS arm, l.latency_ms AS latency FROM ${ledger} l WHERE ${where} AND ${armRows} AND l.status = 'ok' ORDER BY l.arm, l.latency_ms`, params);
    const quality = await client.all(scores, [scoreName, ...scored.params]);
    const wins = await client.all(scores, ['judge_win', ...scored.params]);
    const [judges] = await client.all(`SELECT SUM(l.cost_nanos) AS cost FROM ${ledger} l WHERE ${where} AND l.overhead IN ('judge', 'reference')`, params);
    const sumsOf = (rows: Array<Record<string, unknown>>, arm: string): ScoreSums => {
      const row = rows.find((each) => each.arm === arm);
      if (!row) return NO_SUMS;
      return { scored: numberOf(row.scored), sum: numberOf(row.score_sum), sumOfSquares: numberOf(row.score_squares), binary: numberOf(row.binary_scores), ones: numberOf(row.ones) };
    };
    return {
      experiment,
      arms: totals.map((row) => {
        const arm = String(row.arm);
        return {
          arm,
          shadow: numberOf(row.shadow) === 1,
          requests: numberOf(row.requests),
          errors: numberOf(row.errors),
          costNanos: bigOf(row.cost),
          latenciesMs: latencies.filter((each) => each.arm === arm).map((each) => numberOf(each.latency)),
          quality: sumsOf(quality, arm),
          wins: sumsOf(wins, arm),
        };
      }),
      judgeCostNanos: bigOf(judges?.cost),
    };
  } catch (error) {
    throw storeError(`experiment report (${d.name})`, 'read', error);
  }
}

/** A SqlClient on the ledger's database (Postgres when a URL is given, else `<dataDir>/ledger.sqlite`). */
export function openLedgerSqlClient({ databaseUrl, dataDir, schema }: { databaseUrl?: string; dataDir: string; schema?: string }): SqlClient {
  return databaseUrl ? createPostgresSqlClient({ connectionString: databaseUrl, schema }) : createSqliteSqlClient({ path: join(dataDir, 'ledger.sqlite') });
}
