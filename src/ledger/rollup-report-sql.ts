import { FrugalError } from '../errors/frugal-error.js';
import { LEDGER_COLUMN_NAMES } from './ledger-row-codec.js';
import type { ReportQuery } from './ledger-store.js';
import { HOUR_MS, ROLLUP_SUMS, ROLLUP_TABLE, rollupDialect } from './ledger-rollup.js';
import { LEDGER_TABLE } from './migrations.js';
import { filterConditions } from './report-filter.js';
import { dimensionSpec, type BuiltQuery } from './report-sql.js';
import type { SqlDialect } from './sql-dialect.js';

interface Span {
  since?: number;
  until?: number;
}

/**
 * A report window split at whole hours: the whole hours come from the rollup, the parts of an hour at either end
 * from the rows. `since = 10:20, until = 14:05` reads 11:00–14:00 from the rollup and 10:20–11:00, 14:00–14:05
 * from the ledger, so the result is the report of the rows themselves, to the ms and to the nano-dollar.
 */
export function splitAtHours({ since, until }: Span): { hours: Span | undefined; edges: Span[] } {
  for (const [name, value] of [['since', since], ['until', until]] as const) {
    if (value !== undefined && !Number.isSafeInteger(value)) throw new FrugalError('invalid_request', `${name} must be ms since the epoch (an integer), got ${value}`, { param: name });
  }
  const first = since === undefined ? undefined : Math.ceil(since / HOUR_MS) * HOUR_MS;
  const last = until === undefined ? undefined : Math.floor(until / HOUR_MS) * HOUR_MS;
  if (first !== undefined && last !== undefined && first >= last) return { hours: undefined, edges: since! < until! ? [{ since, until }] : [] };
  const edges: Span[] = [];
  if (since !== undefined && since < first!) edges.push({ since, until: first });
  if (until !== undefined && last! < until) edges.push({ since: last, until });
  return { hours: { since: first, until: last }, edges };
}

function timeConditions(d: SqlDialect, span: Span, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (span.since !== undefined) {
    params.push(span.since);
    conditions.push(`ts >= ${d.param(params.length)}`);
  }
  if (span.until !== undefined) {
    params.push(span.until);
    conditions.push(`ts < ${d.param(params.length)}`);
  }
  return conditions;
}

function where(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/**
 * The report of buildReportSql (same columns, same groups, same exact sums, plus latency sums), read from the
 * hourly rollup for whole hours and from the rows for the rest. Feed the records to shapeReport.
 */
export function buildRollupReportSql(d: SqlDialect, query: ReportQuery): BuiltQuery {
  const group = dimensionSpec(query.by).sql(d);
  const second = query.then === undefined ? 'NULL' : dimensionSpec(query.then).sql(d);
  const groupBy = query.then === undefined ? group : `${group}, ${second}`;
  const params: unknown[] = [];
  const { hours, edges } = splitAtHours(query);
  const parts: string[] = [];
  if (hours) {
    // The same dimensions, rendered for the rollup's columns (a tag is a column there).
    const r = rollupDialect(d);
    const rollupGroup = dimensionSpec(query.by).sql(r);
    const rollupSecond = query.then === undefined ? 'NULL' : dimensionSpec(query.then).sql(r);
    const conditions = [...timeConditions(d, hours, params), ...filterConditions(r, query.where, params)];
    const sums = ROLLUP_SUMS.map(({ column }) => `SUM(${column}) AS ${column}`).join(', ');
    parts.push(`SELECT ${rollupGroup} AS grp, ${rollupSecond} AS grp2, ${sums} FROM ${d.table(ROLLUP_TABLE)}${where(conditions)} GROUP BY ${query.then === undefined ? rollupGroup : `${rollupGroup}, ${rollupSecond}`}`);
  }
  if (edges.length > 0) {
    const spans = edges.map((span) => `(${timeConditions(d, span, params).join(' AND ')})`);
    const conditions = [spans.length === 1 ? spans[0] : `(${spans.join(' OR ')})`, ...filterConditions(d, query.where, params)];
    const sums = ROLLUP_SUMS.map(({ column, aggregate }) => `${aggregate} AS ${column}`).join(', ');
    // The edges are at most two partial hours: the ts index finds them. Without statistics SQLite would rather use an
    // index a filter matches (feature, team, model: a fifth of the ledger), so it is told.
    const source = d.name === 'sqlite' ? `${d.table(LEDGER_TABLE)} INDEXED BY frugal_ledger_ts` : d.table(LEDGER_TABLE);
    parts.push(`SELECT ${group} AS grp, ${second} AS grp2, ${sums} FROM ${source}${where(conditions)} GROUP BY ${groupBy}`);
  }
  // An empty window: no rows, but still a statement of the right shape.
  if (parts.length === 0) return { sql: `SELECT NULL AS grp, NULL AS grp2 WHERE 1 = 0`, params };
  if (parts.length === 1) return { sql: parts[0], params };
  const outer = ROLLUP_SUMS.map(({ column }) => `SUM(${column}) AS ${column}`).join(', ');
  return { sql: `SELECT grp, grp2, ${outer} FROM (${parts.join(' UNION ALL ')}) parts GROUP BY grp, grp2`, params };
}

export interface LatestRowsQuery {
  /** At most this many rows, newest first. */
  limit: number;
  /** Only this key's rows. */
  keyId?: string;
}

/** The newest ledger rows (the Live page), newest first. */
export function buildLatestRowsSql(d: SqlDialect, { limit, keyId }: LatestRowsQuery): BuiltQuery {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new FrugalError('invalid_request', `limit must be a non-negative integer, got ${limit}`, { param: 'limit' });
  const params: unknown[] = [];
  let filter = '';
  if (keyId !== undefined) {
    params.push(keyId);
    filter = ` WHERE key_id = ${d.param(params.length)}`;
  }
  params.push(limit);
  return { sql: `SELECT ${LEDGER_COLUMN_NAMES.join(', ')} FROM ${d.table(LEDGER_TABLE)}${filter} ORDER BY ts DESC, seq DESC LIMIT ${d.param(params.length)}`, params };
}
