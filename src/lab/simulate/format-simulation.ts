import { formatNanosUsd } from '../../catalog/pricing.js';
import { formatPercent } from '../../ledger/report-format.js';
import { projectCost, type Projection } from './project-cost.js';
import { formatUsdForFinance } from './format-usd-for-finance.js';
import { MECHANISM_OFF, type Simulation, type StrategyResult } from './simulation.js';

export interface ProjectedStrategy extends StrategyResult, Projection {
  /** Against the first strategy (current), projected like the costs; negative when the strategy costs more. */
  saved: Projection;
  /** Saved share of the current total, "37.5" (integer math); "n/a" when the current total is 0. */
  savedPercent: string;
}

/** Every strategy's per-request, per-day and per-month cost, and its saving against the first (current). */
export function projectStrategies(simulation: Simulation): ProjectedStrategy[] {
  const { requests, scaling } = simulation;
  const baseline = simulation.strategies[0].totalNanos;
  return simulation.strategies.map((strategy) => {
    // The saving is projected from the exact difference of totals, not as a difference of rounded figures.
    const difference = baseline - strategy.totalNanos;
    const magnitude = projectCost(difference < 0n ? -difference : difference, requests, scaling);
    const sign = difference < 0n ? -1n : 1n;
    return {
      ...strategy,
      ...projectCost(strategy.totalNanos, requests, scaling),
      saved: { perRequestNanos: sign * magnitude.perRequestNanos, perDayNanos: sign * magnitude.perDayNanos, perMonthNanos: sign * magnitude.perMonthNanos },
      savedPercent: formatPercent(difference, baseline),
    };
  });
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

// Per request in hundredths of a cent (LLM calls cost fractions of one); per day and month in cents.
const perRequest = (nanos: bigint) => formatUsdForFinance(nanos, 4);
const perPeriod = (nanos: bigint) => formatUsdForFinance(nanos);
const costCells = (projection: Projection) => [perRequest(projection.perRequestNanos), perPeriod(projection.perDayNanos), perPeriod(projection.perMonthNanos)];

/** A saving reads as a positive amount; an alternative that costs more says so instead of printing a negative saving. */
function savingCells(strategy: ProjectedStrategy): string[] {
  const { saved } = strategy;
  if (saved.perMonthNanos >= 0n) return [...costCells(saved), `${strategy.savedPercent}%`];
  const more = { perRequestNanos: -saved.perRequestNanos, perDayNanos: -saved.perDayNanos, perMonthNanos: -saved.perMonthNanos };
  return [...costCells(more).map((cell) => `costs ${cell} more`), `+${strategy.savedPercent.replace(/^-/, '')}%`];
}

/**
 * The report: warnings first, then cost per strategy, what the alternatives would save against the current spend,
 * what the mechanisms already in use saved, what each figure counts and every assumption. Money as finance reads
 * it; --json has the exact nano-dollars.
 */
export function formatSimulationText(simulation: Simulation): string {
  const strategies = projectStrategies(simulation);
  const [current] = strategies;
  const alternatives = strategies.slice(1).filter((strategy) => !MECHANISM_OFF.has(strategy.id));
  const mechanisms = strategies.filter((strategy) => MECHANISM_OFF.has(strategy.id));
  const range = simulation.firstTs === undefined ? '' : ` (${iso(simulation.firstTs)} to ${iso(simulation.lastTs)})`;
  const lines = [`simulated ${simulation.requests} requests of ${simulation.source}${range}`, ''];
  for (const warning of simulation.warnings) lines.push(`warning: ${warning}`, '');
  lines.push(...table(['cost', 'per request', 'per day', 'per month'], strategies.filter((strategy) => !MECHANISM_OFF.has(strategy.id)).map((strategy) => [strategy.label, ...costCells(strategy)])), '');
  if (alternatives.length > 0) lines.push(...table([`saved vs ${current.label}`, 'per request', 'per day', 'per month', 'share'], alternatives.map((strategy) => [strategy.label, ...savingCells(strategy)])), '');
  if (mechanisms.length > 0) {
    // What a mechanism in use saved: the cost without it minus the cost as recorded (always ≥ 0 for the cache).
    const rows = mechanisms.map((strategy) => {
      const without = { perRequestNanos: -strategy.saved.perRequestNanos, perDayNanos: -strategy.saved.perDayNanos, perMonthNanos: -strategy.saved.perMonthNanos };
      return [strategy.label.replace(/^without /, ''), ...costCells(without), `${formatPercent(strategy.totalNanos - current.totalNanos, strategy.totalNanos)}%`];
    });
    lines.push(...table(['saved by what is in use', 'per request', 'per day', 'per month', 'of the cost without it'], rows), '');
  }
  lines.push('what each figure counts:', ...strategies.map((strategy) => `  ${strategy.label}: ${strategy.detail}`), '', 'assumptions:', ...simulation.assumptions.map((assumption) => `  - ${assumption}`));
  return lines.join('\n');
}

/** The same as JSON; money as exact decimal strings (USD) and integer strings (nano-dollars). */
export function formatSimulationJson(simulation: Simulation): string {
  const strategies = projectStrategies(simulation).map((strategy) => ({
    id: strategy.id,
    label: strategy.label,
    totalNanos: strategy.totalNanos.toString(),
    totalUsd: formatNanosUsd(strategy.totalNanos),
    perRequestUsd: formatNanosUsd(strategy.perRequestNanos),
    perDayUsd: formatNanosUsd(strategy.perDayNanos),
    perMonthUsd: formatNanosUsd(strategy.perMonthNanos),
    savedPerRequestUsd: formatNanosUsd(strategy.saved.perRequestNanos),
    savedPerDayUsd: formatNanosUsd(strategy.saved.perDayNanos),
    savedPerMonthUsd: formatNanosUsd(strategy.saved.perMonthNanos),
    savedPercent: strategy.savedPercent,
    detail: strategy.detail,
  }));
  return JSON.stringify(
    {
      source: simulation.source,
      requests: simulation.requests,
      scaling: simulation.scaling,
      first: iso(simulation.firstTs) ?? null,
      last: iso(simulation.lastTs) ?? null,
      strategies,
      warnings: simulation.warnings,
      assumptions: simulation.assumptions,
    },
    null,
    2,
  );
}
