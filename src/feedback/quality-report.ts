import type { ReportDimension, ReportRow } from '../ledger/ledger-store.js';
import { formatUsd } from '../ledger/report-format.js';
import { dimensionSpec } from '../ledger/report-sql.js';
import type { ScoreGroup } from './feedback-store.js';
import { addScoreSums, type ScoreSums, type ScoreSummary, summarizeScores } from './score-interval.js';

/** One group of `frugal report --quality`: the ledger's requests and exact spend, with its scores. */
export interface QualityRow {
  group: string | null;
  requests: number;
  costNanos: bigint;
  sums: ScoreSums;
  summary: ScoreSummary;
}

const NO_SCORES: ScoreSums = { scored: 0, sum: 0, sumOfSquares: 0, binary: 0, ones: 0 };
const NO_GROUP = '(none)';

/** The label the ledger report gives a raw group value (same rule as report-sql's shapeReport). */
function labelOf(by: ReportDimension, then: ReportDimension | undefined, raw: string | null, raw2: string | null): string | null {
  const spec = dimensionSpec(by);
  const first = raw === null || !spec.label ? raw : spec.label(raw);
  if (then === undefined) return first;
  const thenSpec = dimensionSpec(then);
  const second = raw2 === null || !thenSpec.label ? raw2 : thenSpec.label(raw2);
  return `${first ?? NO_GROUP} / ${second ?? NO_GROUP}`;
}

/**
 * The ledger report's groups (requests, spend: exact, from the ledger's own sums) joined with the score statistics
 * of the same groups, in the ledger report's order.
 */
export function joinQuality(spend: readonly ReportRow[], stats: readonly ScoreGroup[], by: ReportDimension, then?: ReportDimension): QualityRow[] {
  const byLabel = new Map<string | null, ScoreSums>();
  for (const group of stats) {
    const label = labelOf(by, then, group.group, group.group2);
    byLabel.set(label, addScoreSums([byLabel.get(label) ?? NO_SCORES, group]));
  }
  return spend.map((row) => {
    const sums = byLabel.get(row.group) ?? NO_SCORES;
    return { group: row.group, requests: row.requests, costNanos: row.costNanos, sums, summary: summarizeScores(sums) };
  });
}

export function totalQuality(rows: readonly QualityRow[]): Omit<QualityRow, 'group'> {
  const sums = addScoreSums(rows.map((row) => row.sums));
  return { requests: rows.reduce((n, row) => n + row.requests, 0), costNanos: rows.reduce((n, row) => n + row.costNanos, 0n), sums, summary: summarizeScores(sums) };
}

const decimals = (value: number | null) => (value === null ? '-' : value.toFixed(3));

function cells(label: string, row: Omit<QualityRow, 'group'>): string[] {
  const { scored, mean, low, high, method } = row.summary;
  return [label, String(row.requests), formatUsd(row.costNanos), String(scored), decimals(mean), decimals(low), decimals(high), method ?? '-'];
}

/** Header, rows, TOTAL: the first column left-aligned, the rest right-aligned (as the spend table). */
function aligned(rows: readonly string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cellsOfRow) => cellsOfRow[column].length)));
  const line = (cellsOfRow: readonly string[]) => cellsOfRow.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const rule = line(widths.map((width) => '-'.repeat(width)));
  return [line(rows[0]), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1)!)].join('\n');
}

/** The quality table: requests, spend, scored requests, mean score and its 95 % interval per group, then TOTAL. */
export function formatQualityTable(rows: readonly QualityRow[], by: string): string {
  const header = [by, 'requests', 'spend_usd', 'scored', 'mean_score', 'ci95_low', 'ci95_high', 'interval'];
  return aligned([header, ...rows.map((row) => cells(row.group ?? NO_GROUP, row)), cells('TOTAL', totalQuality(rows))]);
}

/** Printed under the table: what the numbers are. */
export function qualityRule(name: string): string {
  return (
    `mean_score is the mean of each scored request's latest '${name}' score (0 to 1; thumbs are 0 and 1). ` +
    'ci95 is a 95 % confidence interval: Wilson when every score in the group is a thumb, Student\'s t otherwise; ' +
    '- when there is too little to compute one. Groups with few scored requests have wide intervals: compare intervals, not means.'
  );
}

function jsonOf(row: Omit<QualityRow, 'group'>) {
  const { scored, mean, low, high, method } = row.summary;
  // Nano-dollars as a string: sums may pass 2^53.
  return { requests: row.requests, costNanos: row.costNanos.toString(), costUsd: formatUsd(row.costNanos, 9), scored, meanScore: mean, ci95: low === null || high === null ? null : [low, high], interval: method };
}

/** JSON: `{ by, score, rows, total }`, money as exact strings. */
export function formatQualityJson(rows: readonly QualityRow[], by: string, name: string): string {
  return JSON.stringify({ by, score: name, rows: rows.map((row) => ({ group: row.group, ...jsonOf(row) })), total: jsonOf(totalQuality(rows)) }, null, 2);
}
