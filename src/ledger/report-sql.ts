import { FrugalError } from '../errors/frugal-error.js';
import { LEDGER_COLUMN_NAMES } from './ledger-row-codec.js';
import type { ReportDimension, ReportQuery, ReportRow, RowsQuery, TimeRange } from './ledger-store.js';
import { LEDGER_TABLE } from './migrations.js';
import { type DimensionSpec, REPORT_DIMENSIONS } from './report-dimensions.js';
import { andWhere, filterConditions } from './report-filter.js';
import type { SqlDialect } from './sql-dialect.js';

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

function checkTime(name: string, value: number | undefined) {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new FrugalError('invalid_request', `${name} must be ms since the epoch (an integer), got ${value}`, { param: name });
  }
}

function whereTime(d: SqlDialect, range: TimeRange, params: unknown[]): string {
  checkTime('since', range.since);
  checkTime('until', range.until);
  const conditions: string[] = [];
  if (range.since !== undefined) {
    params.push(range.since);
    conditions.push(`ts >= ${d.param(params.length)}`);
  }
  if (range.until !== undefined) {
    params.push(range.until);
    conditions.push(`ts < ${d.param(params.length)}`);
  }
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

export function dimensionSpec(by: ReportDimension): DimensionSpec {
  const spec: DimensionSpec | undefined = Object.hasOwn(REPORT_DIMENSIONS, by) ? REPORT_DIMENSIONS[by] : undefined;
  if (!spec) throw new FrugalError('invalid_request', `unknown report dimension "${by}"`, { param: 'by' });
  return spec;
}

/**
 * One GROUP BY over the ledger. Sums stay integers in the database (SQLite INTEGER, Postgres NUMERIC from
 * SUM(BIGINT)) and are read as bigint or text, so no float ever touches a total.
 */
export function buildReportSql(d: SqlDialect, query: ReportQuery): BuiltQuery {
  const group = dimensionSpec(query.by).sql(d);
  const second = query.then === undefined ? undefined : dimensionSpec(query.then).sql(d);
  const params: unknown[] = [];
  const where = andWhere(whereTime(d, query, params), filterConditions(d, query.where, params));
  const sql =
    `SELECT ${group} AS grp, ${second ?? 'NULL'} AS grp2, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens, ` +
    `SUM(completion_tokens) AS completion_tokens, SUM(cached_tokens) AS cached_tokens, SUM(cost_nanos) AS cost_nanos, SUM(saved_nanos) AS saved_nanos, SUM(baseline_nanos) AS baseline_nanos, ` +
    `SUM(saved_routing_nanos) AS saved_routing_nanos, SUM(saved_cache_nanos) AS saved_cache_nanos, ` +
    `SUM(saved_compression_nanos) AS saved_compression_nanos, SUM(saved_prompt_cache_nanos) AS saved_prompt_cache_nanos, SUM(caller_choice_nanos) AS caller_choice_nanos, ` +
    `SUM(saved_batch_nanos) AS saved_batch_nanos, SUM(saved_batching_nanos) AS saved_batching_nanos, ` +
    `SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors, ` +
    `SUM(CASE WHEN tokens_estimated THEN 1 ELSE 0 END) AS estimated_rows ` +
    `FROM ${d.table(LEDGER_TABLE)}${where} GROUP BY ${second === undefined ? group : `${group}, ${second}`}`;
  return { sql, params };
}

export function buildRowsSql(d: SqlDialect, query: RowsQuery): BuiltQuery {
  const params: unknown[] = [];
  const where = whereTime(d, query, params);
  let limit = '';
  if (query.limit !== undefined) {
    if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
      throw new FrugalError('invalid_request', `limit must be a non-negative integer, got ${query.limit}`, { param: 'limit' });
    }
    params.push(query.limit);
    limit = ` LIMIT ${d.param(params.length)}`;
  }
  return { sql: `SELECT ${LEDGER_COLUMN_NAMES.join(', ')} FROM ${d.table(LEDGER_TABLE)}${where} ORDER BY ts, seq${limit}`, params };
}

function exactInteger(value: unknown, column: string): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new FrugalError('internal_error', `ledger report: ${column} came back as ${typeof value} ${String(value)}, not an exact integer`);
}

function safeCount(value: unknown, column: string): number {
  const exact = exactInteger(value, column);
  if (exact > BigInt(Number.MAX_SAFE_INTEGER)) throw new FrugalError('internal_error', `ledger report: ${column} total ${exact} exceeds 2^53`);
  return Number(exact);
}

/** Database rows of buildReportSql → ReportRows, labelled and in the dimension's order. */
export function shapeReport(by: ReportDimension, records: ReadonlyArray<Record<string, unknown>>, then?: ReportDimension): ReportRow[] {
  const spec = dimensionSpec(by);
  const thenSpec = then === undefined ? undefined : dimensionSpec(then);
  const rows = records.map((record): ReportRow & { sortKey: number } => {
    const raw = record.grp === null || record.grp === undefined ? null : String(record.grp);
    const first = raw === null || !spec.label ? raw : spec.label(raw);
    const raw2 = record.grp2 === null || record.grp2 === undefined ? null : String(record.grp2);
    const second = raw2 === null || !thenSpec?.label ? raw2 : thenSpec.label(raw2);
    return {
      group: thenSpec === undefined ? first : `${first ?? '(none)'} / ${second ?? '(none)'}`,
      requests: safeCount(record.requests, 'requests'),
      promptTokens: safeCount(record.prompt_tokens, 'prompt_tokens'),
      completionTokens: safeCount(record.completion_tokens, 'completion_tokens'),
      cachedTokens: safeCount(record.cached_tokens, 'cached_tokens'),
      costNanos: exactInteger(record.cost_nanos, 'cost_nanos'),
      savedNanos: exactInteger(record.saved_nanos, 'saved_nanos'),
      baselineNanos: exactInteger(record.baseline_nanos, 'baseline_nanos'),
      savedRoutingNanos: exactInteger(record.saved_routing_nanos, 'saved_routing_nanos'),
      savedCacheNanos: exactInteger(record.saved_cache_nanos, 'saved_cache_nanos'),
      savedCompressionNanos: exactInteger(record.saved_compression_nanos, 'saved_compression_nanos'),
      savedPromptCacheNanos: exactInteger(record.saved_prompt_cache_nanos, 'saved_prompt_cache_nanos'),
      savedBatchNanos: exactInteger(record.saved_batch_nanos, 'saved_batch_nanos'),
      savedBatchingNanos: exactInteger(record.saved_batching_nanos, 'saved_batching_nanos'),
      callerChoiceNanos: exactInteger(record.caller_choice_nanos, 'caller_choice_nanos'),
      errors: safeCount(record.errors, 'errors'),
      estimatedRows: safeCount(record.estimated_rows, 'estimated_rows'),
      sortKey: raw === null ? Number.NEGATIVE_INFINITY : Number(raw),
    };
  });
  // Sorted here, not in SQL: the two databases order NULLs and collate text differently.
  const byGroup = (a: ReportRow, b: ReportRow) =>
    a.group === b.group ? 0 : a.group === null ? 1 : b.group === null ? -1 : a.group < b.group ? -1 : 1;
  if (spec.order === 'chronological') rows.sort((a, b) => a.sortKey - b.sortKey);
  else rows.sort((a, b) => (a.costNanos === b.costNanos ? b.requests - a.requests || byGroup(a, b) : a.costNanos > b.costNanos ? -1 : 1));
  return rows.map(({ sortKey: _sortKey, ...row }) => row);
}
