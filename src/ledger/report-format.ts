import { FrugalError } from '../errors/frugal-error.js';
import type { ReportRow } from './ledger-store.js';

const NANOS_PER_USD_DIGITS = 9;

/**
 * Nano-dollars as a USD decimal string with `digits` decimals, rounded half away from zero, using only
 * integer arithmetic. formatUsd(1_234_567_890n) === '1.234568'; formatUsd(1n, 9) === '0.000000001'.
 */
export function formatUsd(nanos: bigint | number, digits = 6): string {
  if (!Number.isSafeInteger(digits) || digits < 0) throw new FrugalError('internal_error', `formatUsd: digits must be a non-negative integer, got ${digits}`);
  if (typeof nanos === 'number' && !Number.isSafeInteger(nanos)) throw new FrugalError('internal_error', `formatUsd: nano-dollars must be an integer, got ${nanos}`);
  const value = BigInt(nanos);
  const magnitude = value < 0n ? -value : value;
  let scaled: bigint;
  if (digits < NANOS_PER_USD_DIGITS) {
    const unit = 10n ** BigInt(NANOS_PER_USD_DIGITS - digits);
    scaled = (magnitude + unit / 2n) / unit;
  } else {
    scaled = magnitude * 10n ** BigInt(digits - NANOS_PER_USD_DIGITS);
  }
  const scale = 10n ** BigInt(digits);
  const whole = (scaled / scale).toString();
  const fraction = digits === 0 ? '' : `.${(scaled % scale).toString().padStart(digits, '0')}`;
  return `${value < 0n && scaled !== 0n ? '-' : ''}${whole}${fraction}`;
}

export type ReportTotals = Omit<ReportRow, 'group'>;

/** Column totals; cost summed as bigint. */
export function totalReport(rows: readonly ReportRow[]): ReportTotals {
  const total: ReportTotals = { requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costNanos: 0n, savedNanos: 0n, baselineNanos: 0n, savedRoutingNanos: 0n, savedCacheNanos: 0n, savedCompressionNanos: 0n, savedPromptCacheNanos: 0n, savedBatchNanos: 0n, savedBatchingNanos: 0n, callerChoiceNanos: 0n, errors: 0, estimatedRows: 0 };
  for (const row of rows) {
    total.requests += row.requests;
    total.promptTokens += row.promptTokens;
    total.completionTokens += row.completionTokens;
    total.cachedTokens += row.cachedTokens;
    total.costNanos += row.costNanos;
    total.savedNanos += row.savedNanos;
    total.baselineNanos += row.baselineNanos;
    total.savedRoutingNanos += row.savedRoutingNanos;
    total.savedCacheNanos += row.savedCacheNanos;
    total.savedCompressionNanos += row.savedCompressionNanos;
    total.savedPromptCacheNanos += row.savedPromptCacheNanos;
    total.savedBatchNanos += row.savedBatchNanos;
    total.savedBatchingNanos += row.savedBatchingNanos;
    total.callerChoiceNanos += row.callerChoiceNanos;
    total.errors += row.errors;
    total.estimatedRows += row.estimatedRows;
  }
  return total;
}

/**
 * `part / whole` as a percentage with `digits` decimals, rounded half away from zero, in integer math (money
 * never becomes a float); 'n/a' when `whole` is 0. formatPercent(1n, 3n) === '33.3'; formatPercent(-1n, 8n) === '-12.5'.
 */
export function formatPercent(part: bigint, whole: bigint, digits = 1): string {
  if (!Number.isSafeInteger(digits) || digits < 0) throw new FrugalError('internal_error', `formatPercent: digits must be a non-negative integer, got ${digits}`);
  if (whole === 0n) return 'n/a';
  const scale = 10n ** BigInt(digits);
  const numerator = (part < 0n ? -part : part) * 100n * scale;
  const denominator = whole < 0n ? -whole : whole;
  const scaled = (2n * numerator + denominator) / (2n * denominator);
  const fraction = digits === 0 ? '' : `.${(scaled % scale).toString().padStart(digits, '0')}`;
  return `${(part < 0n) !== (whole < 0n) && scaled !== 0n ? '-' : ''}${scaled / scale}${fraction}`;
}

const NO_GROUP = '(none)';

/** Header, one line per group, TOTAL: the first column left-aligned, numbers right-aligned. */
function alignedTable(header: readonly string[], body: readonly string[][], total: readonly string[]): string {
  const widths = header.map((title, column) => Math.max(title.length, total[column].length, ...body.map((cells) => cells[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const rule = line(widths.map((width) => '-'.repeat(width)));
  return [line(header), rule, ...body.map(line), rule, line(total)].join('\n');
}

function tableCells(label: string, row: ReportTotals): string[] {
  return [label, String(row.requests), String(row.promptTokens), String(row.completionTokens), String(row.cachedTokens), String(row.errors), String(row.estimatedRows), formatUsd(row.costNanos), formatUsd(row.savedNanos)];
}

/** A text table, one line per group, then a TOTAL line. `by` titles the first column. */
export function formatReportTable(rows: readonly ReportRow[], by: string): string {
  const header = [by, 'requests', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'errors', 'estimated', 'spend_usd', 'saved_usd'];
  return alignedTable(header, rows.map((row) => tableCells(row.group ?? NO_GROUP, row)), tableCells('TOTAL', totalReport(rows)));
}

function savingsCells(label: string, row: ReportTotals): string[] {
  const usd = [row.baselineNanos, row.costNanos, row.savedNanos, row.savedRoutingNanos, row.savedCacheNanos, row.savedCompressionNanos, row.savedPromptCacheNanos, row.savedBatchNanos, row.savedBatchingNanos].map((nanos) => formatUsd(nanos));
  return [label, String(row.requests), ...usd, formatPercent(row.savedNanos, row.baselineNanos), formatUsd(row.callerChoiceNanos)];
}

/**
 * What Frugal saved against the named baseline, by mechanism: one line per group, then a TOTAL line. saved =
 * baseline − spend = routing + cache + compression + prompt cache + batch + batching (routing is negative when a dearer model
 * served); saved_pct is saved / baseline. The baseline is a route's own (or savings.baseline_model) when a route
 * served, and the model the caller named when they named one; `caller_choice_usd` is what callers' own choice of
 * a cheaper model than savings.baseline_model came to — not a saving, and never in saved_usd. Each USD cell is rounded on its own, so printed parts may differ from
 * the printed saving in the last digit; the JSON and CSV carry the exact nano-dollars.
 */
export function formatSavingsTable(rows: readonly ReportRow[], by: string): string {
  const header = [by, 'requests', 'baseline_usd', 'spend_usd', 'saved_usd', 'routing_usd', 'cache_usd', 'compression_usd', 'prompt_cache_usd', 'batch_usd', 'batching_usd', 'saved_pct', 'caller_choice_usd'];
  return alignedTable(header, rows.map((row) => savingsCells(row.group ?? NO_GROUP, row)), savingsCells('TOTAL', totalReport(rows)));
}

/** Printed under every savings table: how the numbers above were counted. */
export const SAVINGS_RULE =
  'Savings count only what Frugal decided. A request sent to a route is measured against the route\'s baseline_model ' +
  '(else savings.baseline_model); a request that named a model is measured against that model, so routing savings ' +
  'appear only when Frugal served a cheaper one. caller_choice_usd is what callers saved themselves by naming a ' +
  'cheaper model than savings.baseline_model: shown, never counted as saved.';

type MoneyField = { [K in keyof ReportTotals]: ReportTotals[K] extends bigint ? K : never }[keyof ReportTotals];

/** Every money column: its field, then its names in JSON (nanos, USD) and CSV (nanos, USD). CSV keeps this order. */
const MONEY_COLUMNS: ReadonlyArray<readonly [MoneyField, string, string, string, string]> = [
  ['costNanos', 'costNanos', 'costUsd', 'cost_nanos', 'cost_usd'],
  ['savedNanos', 'savedNanos', 'savedUsd', 'saved_nanos', 'saved_usd'],
  ['baselineNanos', 'baselineNanos', 'baselineUsd', 'baseline_nanos', 'baseline_usd'],
  ['savedRoutingNanos', 'savedRoutingNanos', 'savedRoutingUsd', 'saved_routing_nanos', 'saved_routing_usd'],
  ['savedCacheNanos', 'savedCacheNanos', 'savedCacheUsd', 'saved_cache_nanos', 'saved_cache_usd'],
  ['savedCompressionNanos', 'savedCompressionNanos', 'savedCompressionUsd', 'saved_compression_nanos', 'saved_compression_usd'],
  ['savedPromptCacheNanos', 'savedPromptCacheNanos', 'savedPromptCacheUsd', 'saved_prompt_cache_nanos', 'saved_prompt_cache_usd'],
  ['savedBatchNanos', 'savedBatchNanos', 'savedBatchUsd', 'saved_batch_nanos', 'saved_batch_usd'],
  ['savedBatchingNanos', 'savedBatchingNanos', 'savedBatchingUsd', 'saved_batching_nanos', 'saved_batching_usd'],
  ['callerChoiceNanos', 'callerChoiceNanos', 'callerChoiceUsd', 'caller_choice_nanos', 'caller_choice_usd'],
];

function jsonRow(row: ReportTotals) {
  // Nano-dollars as strings: JSON numbers are doubles to most readers, and sums may pass 2^53.
  const money: Record<string, string> = {};
  for (const [field, nanosKey, usdKey] of MONEY_COLUMNS) {
    money[nanosKey] = row[field].toString();
    money[usdKey] = formatUsd(row[field], NANOS_PER_USD_DIGITS);
  }
  const { requests, promptTokens, completionTokens, cachedTokens, errors, estimatedRows } = row;
  return { requests, promptTokens, completionTokens, cachedTokens, errors, estimatedRows, ...money };
}

/**
 * JSON: `{ by, rows, total }`; every money field as an exact string, in nano-dollars (costNanos, savedNanos,
 * baselineNanos, savedRoutingNanos, …) and in USD to the nano-dollar (costUsd, savedUsd, baselineUsd, …).
 */
export function formatReportJson(rows: readonly ReportRow[], by: string): string {
  return JSON.stringify({ by, rows: rows.map((row) => ({ group: row.group, ...jsonRow(row) })), total: jsonRow(totalReport(rows)) }, null, 2);
}

function csvCell(value: string): string {
  // Group names come from request tags, i.e. from callers: a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * RFC 4180 CSV with a header line and no total line (it is data; a spreadsheet sums it). Empty group = none.
 * Each money column twice, exact: nano-dollars and USD to the nano-dollar.
 */
export function formatReportCsv(rows: readonly ReportRow[], by: string): string {
  const header = [by, 'requests', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'errors', 'estimated_rows', ...MONEY_COLUMNS.flatMap(([, , , nanos, usd]) => [nanos, usd])];
  const lines = rows.map((row) =>
    [
      csvCell(row.group ?? ''),
      row.requests,
      row.promptTokens,
      row.completionTokens,
      row.cachedTokens,
      row.errors,
      row.estimatedRows,
      ...MONEY_COLUMNS.flatMap(([field]) => [row[field].toString(), formatUsd(row[field], NANOS_PER_USD_DIGITS)]),
    ].join(','),
  );
  return [header.map(csvCell).join(','), ...lines].join('\r\n') + '\r\n';
}

const DURATION = /^(\d+)([smhdw])$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

/**
 * A report bound as ms since the epoch: a duration back from `now` ('30m', '24h', '7d', '2w') or an ISO date
 * ('2025-03-01', '2025-03-01T12:00', '2025-03-01T12:00:00+02:00'). Dates and times without an offset are
 * UTC — the same clock the day and week groups use — not the machine's zone.
 */
export function parseSince(text: string, now: number, param = 'since'): number {
  const input = text.trim();
  const duration = DURATION.exec(input);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]];
  const date = ISO_DATE.exec(input);
  if (date) {
    const [, year, month, day, hour = '00', minute = '00', second = '00', millis = '0', zone = 'Z'] = date;
    const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis.padEnd(3, '0')}${zone}`);
    // Date.parse rolls 2025-02-30 over to March 2; a date that does not exist is a typo, not a bound.
    const calendarDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    const exists = calendarDay.getUTCFullYear() === Number(year) && calendarDay.getUTCMonth() === Number(month) - 1 && calendarDay.getUTCDate() === Number(day);
    if (exists && Number.isFinite(ms)) return ms;
  }
  throw new FrugalError('invalid_request', `--${param}: expected a duration (30m, 24h, 7d, 2w) or an ISO date (2025-03-01), got "${text}"`, { param });
}
