import { randomUUID } from 'node:crypto';
import { FrugalError } from '../errors/frugal-error.js';
import type { SqlClient, SqlValue } from '../keys/sql-client.js';
import { LEDGER_TABLE } from '../ledger/migrations.js';
import { dimensionSpec } from '../ledger/report-sql.js';
import { FEEDBACK_TABLE, type FeedbackEntry, type FeedbackSource, type FeedbackStore, type ScoreGroup, type ScoreStatsQuery } from './feedback-store.js';
import { storeError } from '../errors/store-error.js';
import { redactJson, redactText } from '../quality/redact-sample.js';

export interface SqlFeedbackStoreOptions {
  now?: () => number;
  newId?: () => string;
}

const COLUMNS = ['id', 'request_id', 'request_ts', 'name', 'score', 'comment', 'source', 'scored_by', 'metadata', 'created_at'] as const;

/** Postgres returns BIGINT and COUNT as text; SQLite as numbers. Both are far below 2^53 here (counts, ms). */
function numberOf(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function decodeEntry(row: Record<string, unknown>): FeedbackEntry {
  return {
    id: String(row.id),
    requestId: String(row.request_id),
    requestTs: numberOf(row.request_ts),
    name: String(row.name),
    score: numberOf(row.score),
    comment: textOrNull(row.comment),
    source: String(row.source) as FeedbackSource,
    scoredBy: textOrNull(row.scored_by),
    metadata: row.metadata === null || row.metadata === undefined ? null : (JSON.parse(String(row.metadata)) as Record<string, unknown>),
    createdAt: numberOf(row.created_at),
  };
}

function checkTime(name: string, value: number | undefined) {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new FrugalError('invalid_request', `${name} must be ms since the epoch (an integer), got ${value}`, { param: name });
  }
}

/**
 * The feedback store, written once over a SqlClient (the key store's: SQLite or PostgreSQL, in the ledger's
 * database). Scores are appended, never updated; statistics read each request's latest score per name.
 *
 * @example
 * const feedback = createSqlFeedbackStore(createSqliteSqlClient({ path: '.frugal/ledger.sqlite' }));
 * await feedback.migrate();
 */
export function createSqlFeedbackStore(client: SqlClient, { now = Date.now, newId = () => `fb_${randomUUID().replaceAll('-', '')}` }: SqlFeedbackStoreOptions = {}): FeedbackStore {
  const d = client.dialect;
  const feedback = d.table(FEEDBACK_TABLE);
  const ledger = d.table(LEDGER_TABLE);
  const sql = {
    insert: `INSERT INTO ${feedback} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, index) => d.param(index + 1)).join(', ')})`,
    history: `SELECT ${COLUMNS.join(', ')} FROM ${feedback} WHERE request_id = ${d.param(1)} AND request_ts = ${d.param(2)} ORDER BY seq`,
    // Served by the ledger's id index (migration 7). Bounded: a reused id never returns the whole ledger.
    requests: `SELECT ts, key_id FROM ${ledger} WHERE id = ${d.param(1)} ORDER BY ts DESC, seq DESC LIMIT 50`,
  };

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storeError(`feedback store (${d.name})`, operation, error);
    }
  }

  function statsSql(query: ScoreStatsQuery): { text: string; params: SqlValue[] } {
    checkTime('since', query.since);
    checkTime('until', query.until);
    const group = dimensionSpec(query.by).sql(d);
    const second = query.then === undefined ? undefined : dimensionSpec(query.then).sql(d);
    const params: SqlValue[] = [query.name ?? 'default'];
    const conditions: string[] = [];
    if (query.since !== undefined) {
      params.push(query.since);
      conditions.push(`l.ts >= ${d.param(params.length)}`);
    }
    if (query.until !== undefined) {
      params.push(query.until);
      conditions.push(`l.ts < ${d.param(params.length)}`);
    }
    const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
    // The current score of each request: its entry with the highest seq for the name (seq is insertion order on
    // one database, unlike created_at, which comes from several gateways' clocks).
    const current =
      `SELECT f.request_id, f.request_ts, f.score FROM ${feedback} f JOIN ` +
      `(SELECT MAX(seq) AS last FROM ${feedback} WHERE name = ${d.param(1)} GROUP BY request_id, request_ts) latest ON latest.last = f.seq`;
    const text =
      `SELECT ${group} AS grp, ${second ?? 'NULL'} AS grp2, COUNT(*) AS scored, SUM(cur.score) AS score_sum, SUM(cur.score * cur.score) AS score_squares, ` +
      `SUM(CASE WHEN cur.score = 0 OR cur.score = 1 THEN 1 ELSE 0 END) AS binary_scores, SUM(CASE WHEN cur.score = 1 THEN 1 ELSE 0 END) AS ones ` +
      `FROM ${ledger} l JOIN (${current}) cur ON cur.request_id = l.id AND cur.request_ts = l.ts${where} ` +
      `GROUP BY ${second === undefined ? group : `${group}, ${second}`}`;
    return { text, params };
  }

  return {
    migrate: () => guarded('migrate', () => client.migrate()),

    findRequests: (requestId) =>
      guarded('findRequests', async () => {
        const rows = await client.all(sql.requests, [requestId]);
        return rows.map((row) => ({ id: requestId, ts: numberOf(row.ts), keyId: textOrNull(row.key_id) }));
      }),

    add: (input) =>
      guarded('add', async () => {
        // Callers paste keys into comments ("it failed with sk-…"): redacted here, the one way every score is written
        // (API, reviewers, judges), as samples are, so a score row never holds a credential.
        const comment = input.comment === null ? null : redactText(input.comment, []);
        const redacted = input.metadata === null ? null : (redactJson(input.metadata, []) as Record<string, unknown>);
        const entry: FeedbackEntry = { ...input, comment, metadata: redacted, id: newId(), createdAt: now() };
        const metadata = entry.metadata === null ? null : JSON.stringify(entry.metadata);
        await client.run(sql.insert, [entry.id, entry.requestId, entry.requestTs, entry.name, entry.score, entry.comment, entry.source, entry.scoredBy, metadata, entry.createdAt]);
        return entry;
      }),

    history: (request) =>
      guarded('history', async () => (await client.all(sql.history, [request.id, request.ts])).map(decodeEntry)),

    scoreStats: (query) =>
      guarded('scoreStats', async () => {
        const { text, params } = statsSql(query);
        const rows = await client.all(text, params);
        return rows.map(
          (row): ScoreGroup => ({
            group: textOrNull(row.grp),
            group2: textOrNull(row.grp2),
            scored: numberOf(row.scored),
            sum: numberOf(row.score_sum),
            sumOfSquares: numberOf(row.score_squares),
            binary: numberOf(row.binary_scores),
            ones: numberOf(row.ones),
          }),
        );
      }),

    close: () => client.close(),
  };
}
