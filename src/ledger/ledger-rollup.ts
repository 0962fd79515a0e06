import type { SqlDialect } from './sql-dialect.js';

/**
 * Per-hour aggregates of the ledger for the dashboard (issue 15): one row per hour and combination of the report
 * dimensions' inputs, with every sum a report shows. Its columns carry the ledger's own names and meanings —
 * `ts` is the hour's start, `warnings` keeps only the prompt-order mark — and the tags reports group by are
 * columns of their own (`tag_feature`, `tag_team`: no JSON to parse per row), which rollupDialect hands to the
 * dimensions as their tagValue. So every REPORT_DIMENSIONS expression runs on it unchanged and a group here is the
 * same group as in `frugal report`. Sums stay integers, so a report read from here equals one read from the rows to the nano-dollar.
 */
export const ROLLUP_TABLE = 'frugal_ledger_hourly';
export const HOUR_MS = 3_600_000;

/** The tags reports group by (REPORT_DIMENSIONS' tagValue keys), each a column of the rollup. */
const ROLLUP_TAGS = ['feature', 'team'] as const;

/**
 * The dialect the report dimensions are rendered with over the rollup: a tag is its column there. A tag no rollup
 * column holds reads as NULL (no dimension asks for one; the rollup conformance suite runs every dimension).
 */
export function rollupDialect(d: SqlDialect): SqlDialect {
  return { ...d, tagValue: (key) => ((ROLLUP_TAGS as readonly string[]).includes(key) ? `tag_${key}` : 'NULL') };
}

/** A rolled-up sum: its column, and the SQL that aggregates ledger rows into it. */
export interface RollupSum {
  column: string;
  /** Over ledger rows. */
  aggregate: string;
  /** Exact integer (bigint) or a float sum (latencies, never money). */
  kind: 'bigint' | 'double';
}

/**
 * What migration 9 created (after migration 8's batch savings). Migrations are history: a later sum is a later
 * migration's column and list.
 */
export const ROLLUP_SUMS_V9: readonly RollupSum[] = [
  { column: 'requests', aggregate: 'COUNT(*)', kind: 'bigint' },
  ...['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_nanos', 'saved_nanos', 'baseline_nanos', 'saved_routing_nanos', 'saved_cache_nanos', 'saved_compression_nanos', 'saved_prompt_cache_nanos', 'saved_batch_nanos', 'saved_batching_nanos', 'caller_choice_nanos'].map(
    (column): RollupSum => ({ column, aggregate: `SUM(${column})`, kind: 'bigint' }),
  ),
  { column: 'errors', aggregate: `SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END)`, kind: 'bigint' },
  { column: 'estimated_rows', aggregate: 'SUM(CASE WHEN tokens_estimated THEN 1 ELSE 0 END)', kind: 'bigint' },
  { column: 'latency_ms_sum', aggregate: 'SUM(latency_ms)', kind: 'double' },
  { column: 'ttft_ms_sum', aggregate: 'COALESCE(SUM(ttft_ms), 0)', kind: 'double' },
  { column: 'ttft_count', aggregate: 'COUNT(ttft_ms)', kind: 'bigint' },
];

/** The sums the writer maintains now. */
export const ROLLUP_SUMS: readonly RollupSum[] = ROLLUP_SUMS_V9;

/** The ledger columns a group is made of, as the rollup keeps them (expressions over a ledger row). */
function groupColumns(d: SqlDialect): Array<[column: string, expression: string]> {
  return [
    ['ts', `((ts / ${HOUR_MS}) * ${HOUR_MS})`],
    ['key_id', 'key_id'],
    ...ROLLUP_TAGS.map((key): [string, string] => [`tag_${key}`, d.tagValue(key)]),
    ['served_model', 'served_model'],
    ['provider', 'provider'],
    ['route_trace', 'route_trace'],
    ['status', 'status'],
    ['cache_status', 'cache_status'],
    ['task', 'task'],
    // What the prompt_order dimension reads: the mark alone, as the ledger writes it.
    ['warnings', `(CASE WHEN warnings LIKE '%"prompt-order:%' THEN '["prompt-order:"]' ELSE '[]' END)`],
    // Few values each (migration 8): kept so reports by price tier, quality overhead or experiment arm can read here too.
    ['service_tier', 'service_tier'],
    ['overhead', 'overhead'],
    ['experiment', 'experiment'],
    ['arm', 'arm'],
  ];
}

/** One text naming a group (nulls kept apart from any value): the rollup's unique key with its hour. */
function groupKey(d: SqlDialect, expressions: readonly string[]): string {
  const parts = expressions.slice(1).join(', ');
  return d.name === 'sqlite' ? `json_array(${parts})` : `json_build_array(${parts})::text`;
}

/** CREATE statements for the rollup with these sums. */
export function createRollupSql(d: SqlDialect, sums: readonly RollupSum[]): string[] {
  const t = d.types;
  const table = d.table(ROLLUP_TABLE);
  const dimensions = groupColumns(d).map(([column]) => (column === 'ts' ? `ts ${t.bigint} NOT NULL` : column === 'warnings' ? `${column} ${t.text} NOT NULL` : `${column} ${t.text}`));
  const columns = sums.map(({ column, kind }) => `${column} ${kind === 'bigint' ? t.bigint : t.double} NOT NULL`);
  return [
    `CREATE TABLE ${table} (${[...dimensions, `grp_key ${t.text} NOT NULL`, ...columns, 'PRIMARY KEY (ts, grp_key)'].join(', ')})${d.tableOptions}`,
    `CREATE INDEX frugal_ledger_hourly_key_ts ON ${table} (key_id, ts)`,
  ];
}

/**
 * INSERT … SELECT that aggregates `source` (ledger rows, or a CTE of them) into the rollup. With `accumulate`
 * the sums are added to an existing group's (the writer's batches); without, the groups must be new (a rebuild).
 * Ordered by group so two writers on PostgreSQL take row locks in one order and never deadlock.
 */
export function rollupInsertSql(d: SqlDialect, { sums = ROLLUP_SUMS, source, where = '', accumulate }: { sums?: readonly RollupSum[]; source: string; where?: string; accumulate: boolean }): string {
  const groups = groupColumns(d);
  const expressions = groups.map(([, expression]) => expression);
  const select = [...expressions, groupKey(d, expressions), ...sums.map(({ aggregate }) => aggregate)];
  const columns = [...groups.map(([column]) => column), 'grp_key', ...sums.map(({ column }) => column)];
  const positions = Array.from({ length: groups.length + 1 }, (_, index) => index + 1).join(', ');
  const table = d.table(ROLLUP_TABLE);
  // SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT (its parser's rule); `WHERE 1 = 1` is harmless elsewhere.
  const sql = `INSERT INTO ${table} AS r (${columns.join(', ')}) SELECT ${select.join(', ')} FROM ${source} ${where || 'WHERE 1 = 1'} GROUP BY ${positions} ORDER BY 1, ${groups.length + 1}`;
  if (!accumulate) return sql;
  const updates = sums.map(({ column }) => `${column} = r.${column} + excluded.${column}`);
  return `${sql} ON CONFLICT (ts, grp_key) DO UPDATE SET ${updates.join(', ')}`;
}

/** Statements that rebuild the rollup from every ledger row (run in one transaction). */
export function rebuildRollupSql(d: SqlDialect, ledgerTable: string): string[] {
  return [`DELETE FROM ${d.table(ROLLUP_TABLE)}`, rollupInsertSql(d, { source: d.table(ledgerTable), accumulate: false })];
}
