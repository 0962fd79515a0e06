import { formatUsd } from '../../ledger/report-format.js';
import type { EvalResult } from './run-eval.js';

function qualityCell(mean: number | null): string {
  return mean === null ? 'n/a' : mean.toFixed(3);
}

function intervalCell(low: number | null, high: number | null): string {
  return low === null || high === null ? 'n/a' : `[${low.toFixed(3)}, ${high.toFixed(3)}]`;
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(0);
}

/**
 * Replayed files without real prices are costed in `router eval`'s price-ratio units, not dollars: the table then
 * says so instead of printing them as USD.
 */
export interface CostUnit {
  name: string;
  note?: string;
}

const USD: CostUnit = { name: 'nano-USD' };

/** One line per candidate, then the verdict and what the run cost. */
export function formatEvalTable(result: EvalResult, unit: CostUnit = USD): string {
  const usd = unit.name === USD.name;
  const money = (nanos: number, digits: number) => (usd ? formatUsd(nanos, digits) : String(nanos));
  const header = ['candidate', 'requests', 'errors', usd ? 'usd_per_req' : 'units_per_req', usd ? 'usd_per_1k' : 'units_per_1k', 'quality', 'ci_95', 'scored', 'win/tie/loss', 'p50_ms', 'p95_ms'];
  const body = result.candidates.map((row) => [
    row.candidate === result.baseline ? `${row.candidate} (baseline)` : row.candidate,
    String(row.requests),
    String(row.errors),
    money(row.costPerRequestNanos, 6),
    money(row.costPer1000Nanos, 4),
    qualityCell(row.quality.mean),
    intervalCell(row.quality.low, row.quality.high),
    String(row.quality.scored),
    row.candidate === result.baseline ? '-' : `${row.wins}/${row.ties}/${row.losses}`,
    ms(row.p50Ms),
    ms(row.p95Ms),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const notes = [
    `${result.prompts} prompts; ${result.verdict}.`,
    `spent ${money(result.spentNanos, 6)} ${usd ? 'USD' : unit.name}` +
      (result.judgeCalls > 0 ? `, of which ${money(result.judgeNanos, 6)} on ${result.judgeCalls} judge calls (quality overhead)` : '') +
      (result.skipped > 0 ? `; ${result.skipped} calls not run: --max-usd reached` : '') +
      (result.ungraded > 0 ? `; ${result.ungraded} answers could not be graded` : '') +
      '.',
    ...(unit.note === undefined ? [] : [unit.note]),
  ];
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line), '', ...notes].join('\n');
}

/** The same as JSON: money as exact nano-dollar strings beside USD. */
export function formatEvalJson(result: EvalResult, unit: CostUnit = USD): string {
  return JSON.stringify(
    {
      costUnit: unit.name,
      baseline: result.baseline,
      prompts: result.prompts,
      pick: result.pick,
      verdict: result.verdict,
      spentNanos: String(result.spentNanos),
      judgeNanos: String(result.judgeNanos),
      judgeCalls: result.judgeCalls,
      skipped: result.skipped,
      ungraded: result.ungraded,
      gradesStored: result.gradesStored,
      gradesNotStored: result.gradesNotStored,
      candidates: result.candidates.map((row) => ({
        candidate: row.candidate,
        requests: row.requests,
        errors: row.errors,
        skipped: row.skipped,
        costNanos: String(row.costNanos),
        costPerRequestNanos: String(row.costPerRequestNanos),
        costPer1000Nanos: String(row.costPer1000Nanos),
        quality: row.quality,
        wins: row.wins,
        ties: row.ties,
        losses: row.losses,
        p50Ms: row.p50Ms,
        p95Ms: row.p95Ms,
        difference: row.difference,
        notWorse: row.notWorse,
      })),
    },
    null,
    2,
  );
}
