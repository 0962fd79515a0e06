import { summarizeScores } from '../feedback/score-interval.js';
import { formatUsd } from '../ledger/report-format.js';
import { scoreDifference, type ScoreDifference } from '../quality/score-difference.js';
import type { ArmStats, ExperimentStats } from './experiment-stats.js';

/** Nearest-rank percentile of ascending values; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Cost per request in nano-dollars, rounded to the nearest one (exact integer division of the exact sum). */
function costPerRequest(arm: ArmStats): bigint | null {
  return arm.requests === 0 ? null : (arm.costNanos * 2n + BigInt(arm.requests)) / (2n * BigInt(arm.requests));
}

/** "1 240": thousands apart, as the verdict is read aloud. */
function grouped(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** −0.01 with a real minus sign; two decimals. */
function signed(value: number): string {
  const text = Math.abs(value).toFixed(2);
  return value < 0 && text !== '0.00' ? `−${text}` : value > 0 && text !== '0.00' ? `+${text}` : text;
}

export interface ArmVerdict {
  arm: string;
  against: string;
  /** (1 − cost per request of the arm / of the control) × 100; null when either has no requests or the control cost 0. */
  cheaperPercent: number | null;
  quality: ScoreDifference;
  sentence: string;
}

/**
 * The plain verdict for one arm against the control: "arm b is 62 % cheaper than a; quality difference
 * −0.01 ± 0.03, not significant after 1 240 scored requests".
 */
export function armVerdict(control: ArmStats, arm: ArmStats): ArmVerdict {
  const ours = costPerRequest(arm);
  const theirs = costPerRequest(control);
  const cheaperPercent = ours === null || theirs === null || theirs === 0n ? null : (1 - Number(ours) / Number(theirs)) * 100;
  const quality = scoreDifference(control.quality, arm.quality);
  const name = arm.shadow ? `shadow arm ${arm.arm}` : `arm ${arm.arm}`;
  let cost: string;
  if (cheaperPercent === null) cost = `${name} has no cost comparison with ${control.arm}`;
  else if (Math.round(cheaperPercent) === 0) cost = `${name} costs about the same as ${control.arm}`;
  else cost = cheaperPercent > 0 ? `${name} is ${Math.round(cheaperPercent)} % cheaper than ${control.arm}` : `${name} is ${Math.round(-cheaperPercent)} % more expensive than ${control.arm}`;
  let verdict: string;
  if (quality.difference === null) verdict = `no quality comparison yet (${grouped(quality.scored)} scored requests)`;
  else if (quality.halfWidth === null) verdict = `quality difference ${signed(quality.difference)}, too few scores for an interval (${grouped(quality.scored)} scored requests)`;
  else {
    const significance = quality.significant ? (quality.difference < 0 ? 'significantly worse' : 'significantly better') : 'not significant';
    verdict = `quality difference ${signed(quality.difference)} ± ${quality.halfWidth.toFixed(2)}, ${significance} after ${grouped(quality.scored)} scored requests`;
  }
  return { arm: arm.arm, against: control.arm, cheaperPercent, quality, sentence: `${cost}; ${verdict}` };
}

/** The control arm: the one named, else the first served (not shadow) arm by name. */
export function controlArm(stats: ExperimentStats, named?: string): ArmStats | undefined {
  if (named !== undefined) return stats.arms.find((arm) => arm.arm === named);
  return stats.arms.find((arm) => !arm.shadow) ?? stats.arms[0];
}

const decimals = (value: number | null) => (value === null ? '-' : value.toFixed(3));
const ms = (value: number | null) => (value === null ? '-' : value.toFixed(0));

function row(arm: ArmStats): string[] {
  const quality = summarizeScores(arm.quality);
  const wins = summarizeScores(arm.wins);
  const perRequest = costPerRequest(arm);
  return [
    arm.shadow ? `${arm.arm} (shadow)` : arm.arm,
    String(arm.requests),
    perRequest === null ? '-' : formatUsd(perRequest, 6),
    String(quality.scored),
    decimals(quality.mean),
    quality.low === null || quality.high === null ? '-' : `${decimals(quality.low)}–${decimals(quality.high)}`,
    wins.scored === 0 ? '-' : `${decimals(wins.mean)} (${wins.scored})`,
    ms(percentile(arm.latenciesMs, 50)),
    ms(percentile(arm.latenciesMs, 95)),
  ];
}

/** The `frugal report --experiment NAME` table, then one verdict line per arm against the control. */
export function formatExperimentReport(stats: ExperimentStats, scoreName: string, control?: string): string {
  if (stats.arms.length === 0) return `No requests recorded for experiment '${stats.experiment}'.`;
  const header = ['arm', 'requests', 'usd_per_request', 'scored', `mean_${scoreName}`, 'ci95', 'judge_win_rate (n)', 'p50_ms', 'p95_ms'];
  const rows = [header, ...stats.arms.map(row)];
  const widths = header.map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const base = controlArm(stats, control);
  const verdicts = base ? stats.arms.filter((arm) => arm !== base).map((arm) => armVerdict(base, arm).sentence) : [];
  return [
    `experiment ${stats.experiment}`,
    line(rows[0]),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.slice(1).map(line),
    '',
    ...verdicts.map((sentence) => `${sentence[0].toUpperCase()}${sentence.slice(1)}.`),
    `Quality is each scored request's latest '${scoreName}' score; the difference's ± is a 95 % interval (Welch). Shadow arms are never served: their cost is quality overhead. Judges spent ${formatUsd(stats.judgeCostNanos)} USD on this experiment (quality overhead).`,
  ].join('\n');
}

/** JSON: per arm numbers and verdicts; money as exact strings. */
export function formatExperimentJson(stats: ExperimentStats, scoreName: string, control?: string): string {
  const base = controlArm(stats, control);
  return JSON.stringify(
    {
      experiment: stats.experiment,
      score: scoreName,
      control: base?.arm ?? null,
      judgeCostNanos: stats.judgeCostNanos.toString(),
      arms: stats.arms.map((arm) => {
        const quality = summarizeScores(arm.quality);
        const wins = summarizeScores(arm.wins);
        return {
          arm: arm.arm,
          shadow: arm.shadow,
          requests: arm.requests,
          errors: arm.errors,
          costNanos: arm.costNanos.toString(),
          costPerRequestNanos: costPerRequest(arm)?.toString() ?? null,
          quality: { scored: quality.scored, mean: quality.mean, ci95: quality.low === null || quality.high === null ? null : [quality.low, quality.high] },
          judgeWinRate: { scored: wins.scored, mean: wins.mean },
          latencyMs: { p50: percentile(arm.latenciesMs, 50), p95: percentile(arm.latenciesMs, 95) },
          verdict: base && arm !== base ? armVerdict(base, arm).sentence : null,
        };
      }),
    },
    null,
    2,
  );
}
