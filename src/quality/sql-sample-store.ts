import type { SqlClient } from '../keys/sql-client.js';
import { storeError } from '../errors/store-error.js';
import { FEEDBACK_TABLE } from '../feedback/feedback-store.js';
import { SAMPLES_TABLE, type Sample, type SampleStore } from './sample-store.js';

const COLUMNS = ['request_id', 'request_ts', 'route', 'model', 'task', 'key_id', 'request_json', 'answer', 'created_at', 'expires_at'] as const;

/** 50 rows × 10 columns = 500 bound values: under SQLite's oldest limit (999) and far under Postgres's. */
const ROWS_PER_STATEMENT = 50;

/** Postgres returns BIGINT as text; SQLite as numbers. Both are far below 2^53 here (ms). */
const numberOf = (value: unknown) => (typeof value === 'number' ? value : Number(value));
const textOrNull = (value: unknown) => (value === null || value === undefined ? null : String(value));

function decode(row: Record<string, unknown>): Sample {
  return {
    requestId: String(row.request_id),
    requestTs: numberOf(row.request_ts),
    route: String(row.route),
    model: textOrNull(row.model),
    task: textOrNull(row.task),
    keyId: textOrNull(row.key_id),
    requestJson: textOrNull(row.request_json),
    answer: textOrNull(row.answer),
    createdAt: numberOf(row.created_at),
    expiresAt: numberOf(row.expires_at),
  };
}

/**
 * The sample store over a SqlClient (SQLite or PostgreSQL, the ledger's database).
 *
 * @example
 * const samples = createSqlSampleStore(createSqliteSqlClient({ path: '.frugal/ledger.sqlite' }));
 * await samples.migrate();
 */
export function createSqlSampleStore(client: SqlClient): SampleStore {
  const d = client.dialect;
  const samples = d.table(SAMPLES_TABLE);
  const feedback = d.table(FEEDBACK_TABLE);
  const list = COLUMNS.map((column) => `s.${column}`).join(', ');
  const sql = {
    get: `SELECT ${list} FROM ${samples} s WHERE s.request_id = ${d.param(1)} ORDER BY s.request_ts DESC, s.seq DESC LIMIT 1`,
    expired: `DELETE FROM ${samples} WHERE expires_at < ${d.param(1)}`,
  };

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storeError(`sample store (${d.name})`, operation, error);
    }
  }

  return {
    migrate: () => guarded('migrate', () => client.migrate()),

    insert: (batch) =>
      guarded('insert', async () => {
        // One multi-row statement per chunk: one commit (one fsync) per chunk instead of per sample.
        for (let start = 0; start < batch.length; start += ROWS_PER_STATEMENT) {
          const chunk = batch.slice(start, start + ROWS_PER_STATEMENT);
          const values = chunk.map((_, row) => `(${COLUMNS.map((__, column) => d.param(row * COLUMNS.length + column + 1)).join(', ')})`).join(', ');
          const params = chunk.flatMap((sample) => [sample.requestId, sample.requestTs, sample.route, sample.model, sample.task, sample.keyId, sample.requestJson, sample.answer, sample.createdAt, sample.expiresAt]);
          await client.run(`INSERT INTO ${samples} (${COLUMNS.join(', ')}) VALUES ${values}`, params);
        }
      }),

    get: (requestId) =>
      guarded('get', async () => {
        const [row] = await client.all(sql.get, [requestId]);
        return row === undefined ? undefined : decode(row);
      }),

    awaitingReview: ({ route, limit = 20 } = {}) =>
      guarded('awaitingReview', async () => {
        if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
        const params: Array<string | number> = [];
        let where = `NOT EXISTS (SELECT 1 FROM ${feedback} f WHERE f.request_id = s.request_id AND f.request_ts = s.request_ts AND f.source = 'reviewer')`;
        if (route !== undefined) {
          params.push(route);
          where += ` AND s.route = ${d.param(params.length)}`;
        }
        params.push(limit);
        const rows = await client.all(`SELECT ${list} FROM ${samples} s WHERE ${where} ORDER BY s.request_ts DESC, s.seq DESC LIMIT ${d.param(params.length)}`, params);
        return rows.map(decode);
      }),

    deleteExpired: (now) => guarded('deleteExpired', () => client.run(sql.expired, [now])),

    close: () => client.close(),
  };
}
