import type { SqlDialect } from './sql-dialect.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface DimensionSpec {
  /** SQL for the value rows are grouped by. Same SQL on both dialects where it can be. */
  sql(dialect: SqlDialect): string;
  /** Turns the grouped value into the label shown (default: the value itself). */
  label?(value: string): string;
  /** How groups are listed: time in order, everything else most expensive first. */
  order: 'chronological' | 'cost';
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The report dimensions. Adding one is one entry here (the ReportDimension type is derived from the keys).
 * Day and week are UTC and group by integer day numbers, so both databases bucket identically; the label
 * is made here. The epoch was a Thursday, so `(day + 3) / 7` numbers ISO weeks (Monday first).
 */
export const REPORT_DIMENSIONS = {
  feature: { sql: (d) => d.tagValue('feature'), order: 'cost' },
  team: { sql: (d) => d.tagValue('team'), order: 'cost' },
  model: { sql: () => 'served_model', order: 'cost' },
  provider: { sql: () => 'provider', order: 'cost' },
  key: { sql: () => 'key_id', order: 'cost' },
  day: { sql: () => `(ts / ${DAY_MS})`, label: (value) => isoDate(Number(value)), order: 'chronological' },
  hour: { sql: () => `(ts / ${HOUR_MS})`, label: (value) => `${new Date(Number(value) * HOUR_MS).toISOString().slice(0, 13)}:00Z`, order: 'chronological' },
  week: { sql: () => `((ts / ${DAY_MS} + 3) / 7)`, label: (value) => isoDate(Number(value) * 7 - 3), order: 'chronological' },
  route: { sql: (d) => d.firstSegment('route_trace', '>'), order: 'cost' },
  // The whole decision path (route trace), e.g. "auto>cascade:cheap(fail:json)>gpt-4o": escalations and fallbacks show in it.
  path: { sql: () => 'route_trace', order: 'cost' },
  status: { sql: () => 'status', order: 'cost' },
  cache: { sql: () => 'cache_status', order: 'cost' },
  task: { sql: () => 'task', order: 'cost' },
  // Who the call was for: the caller's traffic, or Frugal's own quality overhead (judge, reference, shadow), shown apart.
  overhead: { sql: () => "COALESCE(overhead, 'caller')", order: 'cost' },
  // Requests whose prompt put variable content before a long static block (see the prompt-order stage).
  prompt_order: { sql: () => `(CASE WHEN warnings LIKE '%"prompt-order:%' THEN 'variable-before-static' ELSE 'ok' END)`, order: 'cost' },
} as const satisfies Record<string, DimensionSpec>;

export const REPORT_DIMENSION_NAMES = Object.keys(REPORT_DIMENSIONS) as Array<keyof typeof REPORT_DIMENSIONS>;

export function isReportDimension(name: string): name is keyof typeof REPORT_DIMENSIONS {
  return Object.hasOwn(REPORT_DIMENSIONS, name);
}
