import { storeError } from '../../errors/store-error.js';
import { FEEDBACK_TABLE, type FeedbackSource } from '../../feedback/feedback-store.js';
import type { SqlClient, SqlValue } from '../../keys/sql-client.js';
import { LEDGER_TABLE } from '../../ledger/migrations.js';
import { SAMPLES_TABLE } from '../../quality/sample-store.js';

/**
 * What offline learning reads from the ledger's database: stored samples (redacted request and answer) with each
 * request's current scores (feedback, reviewers, judges, eval grades) and its ledger cost, plus the shadow arms'
 * pairwise verdicts, which sit on the shadow's own ledger row and name the served request they answered.
 * Read-only; written once over a SqlClient, so SQLite and PostgreSQL run the same SQL (scored-sample-reader.case.ts).
 */

/** A request's latest entry for one score name. */
export interface CurrentScore {
  name: string;
  score: number;
  source: FeedbackSource;
  metadata: Record<string, unknown> | null;
}

export interface ScoredSample {
  requestId: string;
  requestTs: number;
  /** The quality config name it was sampled under (a route or model name). */
  route: string;
  model: string | null;
  task: string | null;
  /** The stored request as JSON (redacted): the messages array, or an object with messages (and tools). */
  requestJson: string;
  answer: string;
  /** The ledger row's cost; null when the row is not in this ledger. */
  costNanos: number | null;
  /** Current score per name (latest entry by insertion order), in the order names were first scored. */
  scores: CurrentScore[];
}

/** A shadow arm's grade: its candidate answered the served request's question and was judged against it. */
export interface ShadowVerdict {
  /** The served request whose question the shadow answered. */
  servedRequestId: string;
  candidateModel: string | null;
  candidateCostNanos: number;
  /** 1: the candidate's answer won, 0: the served answer won, 0.5: a tie. */
  score: number;
}

export interface ScoredSampleQuery {
  /** Only samples taken under this quality route (or model) name. */
  route?: string;
  /** Request start time bounds (ms): since inclusive, until exclusive. */
  since?: number;
  until?: number;
  /** The newest this many samples (default 100 000): a bound on what one command holds in memory. */
  limit?: number;
}

export interface ScoredSampleReader {
  /** Samples that stored bodies, oldest first, with their current scores and costs. */
  samples(query?: ScoredSampleQuery): Promise<ScoredSample[]>;
  /** The latest shadow verdict per shadow request, in the time range (of the shadow rows). */
  shadowVerdicts(query?: Pick<ScoredSampleQuery, 'since' | 'until'>): Promise<ShadowVerdict[]>;
  /** Served model and cost of ledger rows by id (the newest row when an id repeats). */
  ledgerRows(ids: readonly string[]): Promise<Map<string, { model: string | null; costNanos: number }>>;
  close(): Promise<void>;
}

export const DEFAULT_SAMPLE_LIMIT = 100_000;
/** Bind parameters per IN list: far below SQLite's 32 766 and Postgres' 65 535. */
const IN_CHUNK = 500;

const numberOf = (value: unknown) => (typeof value === 'number' ? value : Number(value));
const textOrNull = (value: unknown) => (value === null || value === undefined ? null : String(value));

function metadataOf(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  try {
    const parsed = JSON.parse(String(value)) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function checkTime(name: string, value: number | undefined): void {
  if (value !== undefined && !Number.isSafeInteger(value)) throw new RangeError(`${name} must be ms since the epoch (an integer), got ${value}`);
}

/**
 * @example
 * const reader = createScoredSampleReader(openLedgerSqlClient({ dataDir: '.frugal' }));
 * const samples = await reader.samples({ route: 'auto', since: Date.now() - 30 * 86_400_000 });
 */
export function createScoredSampleReader(client: SqlClient): ScoredSampleReader {
  const d = client.dialect;
  const samplesTable = d.table(SAMPLES_TABLE);
  const feedback = d.table(FEEDBACK_TABLE);
  const ledger = d.table(LEDGER_TABLE);

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storeError(`scored sample reader (${d.name})`, operation, error);
    }
  }

  /** The WHERE clause on samples `s` a query describes, its parameters appended to `params`. */
  function sampleConditions(query: ScoredSampleQuery, params: SqlValue[]): string {
    checkTime('since', query.since);
    checkTime('until', query.until);
    const conditions = ['s.request_json IS NOT NULL', 's.answer IS NOT NULL'];
    if (query.route !== undefined) {
      params.push(query.route);
      conditions.push(`s.route = ${d.param(params.length)}`);
    }
    if (query.since !== undefined) {
      params.push(query.since);
      conditions.push(`s.request_ts >= ${d.param(params.length)}`);
    }
    if (query.until !== undefined) {
      params.push(query.until);
      conditions.push(`s.request_ts < ${d.param(params.length)}`);
    }
    return conditions.join(' AND ');
  }

  return {
    samples: (query = {}) =>
      guarded('samples', async () => {
        const limit = query.limit ?? DEFAULT_SAMPLE_LIMIT;
        if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
        const sampleParams: SqlValue[] = [];
        const where = sampleConditions(query, sampleParams);
        sampleParams.push(limit);
        // The newest `limit`, returned oldest first. A LEFT JOIN: a sample whose row is missing (a ledger restored
        // from an older backup) is still a sample, with an unknown cost.
        const rows = await client.all(
          `SELECT s.seq, s.request_id, s.request_ts, s.route, s.model, s.task, s.request_json, s.answer, l.cost_nanos ` +
            `FROM ${samplesTable} s LEFT JOIN ${ledger} l ON l.id = s.request_id AND l.ts = s.request_ts ` +
            `WHERE ${where} ORDER BY s.request_ts DESC, s.seq DESC LIMIT ${d.param(sampleParams.length)}`,
          sampleParams,
        );
        const scoreParams: SqlValue[] = [];
        const scoreWhere = sampleConditions(query, scoreParams);
        // Every entry of a sampled request, in insertion order (seq): the last one per name is its current score.
        const entries = await client.all(
          `SELECT f.request_id, f.request_ts, f.name, f.score, f.source, f.metadata FROM ${feedback} f ` +
            `WHERE EXISTS (SELECT 1 FROM ${samplesTable} s WHERE s.request_id = f.request_id AND s.request_ts = f.request_ts AND ${scoreWhere}) ORDER BY f.seq`,
          scoreParams,
        );
        const scores = new Map<string, Map<string, CurrentScore>>();
        for (const entry of entries) {
          const key = `${String(entry.request_id)}\u0000${numberOf(entry.request_ts)}`;
          let named = scores.get(key);
          if (named === undefined) scores.set(key, (named = new Map()));
          named.set(String(entry.name), { name: String(entry.name), score: numberOf(entry.score), source: String(entry.source) as FeedbackSource, metadata: metadataOf(entry.metadata) });
        }
        const seen = new Set<number>();
        const result: ScoredSample[] = [];
        for (const row of rows.reverse()) {
          // A ledger row copied twice (it never should be) must not double a sample.
          const seq = numberOf(row.seq);
          if (seen.has(seq)) continue;
          seen.add(seq);
          const requestTs = numberOf(row.request_ts);
          result.push({
            requestId: String(row.request_id),
            requestTs,
            route: String(row.route),
            model: textOrNull(row.model),
            task: textOrNull(row.task),
            requestJson: String(row.request_json),
            answer: String(row.answer),
            costNanos: row.cost_nanos === null || row.cost_nanos === undefined ? null : numberOf(row.cost_nanos),
            scores: [...(scores.get(`${String(row.request_id)}\u0000${requestTs}`)?.values() ?? [])],
          });
        }
        return result;
      }),

    shadowVerdicts: (query = {}) =>
      guarded('shadowVerdicts', async () => {
        checkTime('since', query.since);
        checkTime('until', query.until);
        const params: SqlValue[] = ['judge_win', 'judge', '%shadow%'];
        let where = `f.name = ${d.param(1)} AND f.source = ${d.param(2)} AND f.metadata LIKE ${d.param(3)}`;
        if (query.since !== undefined) {
          params.push(query.since);
          where += ` AND f.request_ts >= ${d.param(params.length)}`;
        }
        if (query.until !== undefined) {
          params.push(query.until);
          where += ` AND f.request_ts < ${d.param(params.length)}`;
        }
        const rows = await client.all(
          `SELECT f.request_id, f.request_ts, f.score, f.metadata, l.served_model, l.cost_nanos FROM ${feedback} f ` +
            `JOIN ${ledger} l ON l.id = f.request_id AND l.ts = f.request_ts WHERE ${where} ORDER BY f.seq`,
          params,
        );
        const latest = new Map<string, ShadowVerdict>();
        for (const row of rows) {
          const metadata = metadataOf(row.metadata);
          // LIKE only narrows; the metadata itself says whether this is a shadow's grade and whom it answered.
          if (metadata?.mode !== 'shadow' || typeof metadata.against !== 'string') continue;
          latest.set(`${String(row.request_id)}\u0000${numberOf(row.request_ts)}`, {
            servedRequestId: metadata.against,
            candidateModel: textOrNull(row.served_model),
            candidateCostNanos: numberOf(row.cost_nanos),
            score: numberOf(row.score),
          });
        }
        return [...latest.values()];
      }),

    ledgerRows: (ids) =>
      guarded('ledgerRows', async () => {
        const found = new Map<string, { model: string | null; costNanos: number; ts: number }>();
        const unique = [...new Set(ids)];
        for (let start = 0; start < unique.length; start += IN_CHUNK) {
          const chunk = unique.slice(start, start + IN_CHUNK);
          const rows = await client.all(`SELECT id, ts, served_model, cost_nanos FROM ${ledger} WHERE id IN (${chunk.map((_, index) => d.param(index + 1)).join(', ')})`, chunk);
          for (const row of rows) {
            const id = String(row.id);
            const ts = numberOf(row.ts);
            const before = found.get(id);
            if (before === undefined || ts > before.ts) found.set(id, { model: textOrNull(row.served_model), costNanos: numberOf(row.cost_nanos), ts });
          }
        }
        return new Map([...found].map(([id, { model, costNanos }]) => [id, { model, costNanos }]));
      }),

    close: () => client.close(),
  };
}
