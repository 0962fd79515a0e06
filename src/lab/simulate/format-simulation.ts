import { formatNanosUsd } from '../../catalog/pricing.js';
import { formatPercent } from '../../ledger/report-format.js';
import { projectCost, type Projection } from './project-cost.js';
import type { Simulation, StrategyResult } from './simulation.js';

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

const usd = (nanos: bigint) => `${nanos < 0n ? '-' : ''}$${formatNanosUsd(nanos < 0n ? -nanos : nanos)}`;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** The report: exact dollar figures (cost, then saving against current), what each counts, every assumption. */
export function formatSimulationText(simulation: Simulation): string {
  const strategies = projectStrategies(simulation);
  const range = simulation.firstTs === undefined ? '' : ` (${iso(simulation.firstTs)} to ${iso(simulation.lastTs)})`;
  const costs = strategies.map((strategy) => [strategy.label, usd(strategy.perRequestNanos), usd(strategy.perDayNanos), usd(strategy.perMonthNanos)]);
  const savings = strategies
    .slice(1)
    .map((strategy) => [strategy.label, usd(strategy.saved.perRequestNanos), usd(strategy.saved.perDayNanos), usd(strategy.saved.perMonthNanos), `${strategy.savedPercent}%`]);
  return [
    `simulated ${simulation.requests} requests of ${simulation.source}${range}`,
    '',
    ...table(['cost', 'per request', 'per day', 'per month'], costs),
    '',
    ...table([`saved vs ${strategies[0].label}`, 'per request', 'per day', 'per month', 'share'], savings),
    '',
    'what each figure counts:',
    ...strategies.map((strategy) => `  ${strategy.label}: ${strategy.detail}`),
    '',
    'assumptions:',
    ...simulation.assumptions.map((assumption) => `  - ${assumption}`),
  ].join('\n');
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
      assumptions: simulation.assumptions,
    },
    null,
    2,
  );
}
