import type { Price } from '../../catalog/pricing.js';
import type { ModelEntry } from '../../config/gateway-config.js';
import { picoToUsdPerMillion } from '../../catalog/pricing.js';
import type { Scaling } from './project-cost.js';

/** What the report compares: alternatives one could switch to, and the cost without a mechanism already in use. */
export const MECHANISM_OFF: ReadonlySet<string> = new Set(['cache_off', 'compression_off']);

export type StrategyId = 'current' | 'routing' | 'exact_cache' | 'semantic_cache' | 'combined' | 'repriced' | 'swapped' | 'cache_off' | 'compression_off';

export interface StrategyResult {
  id: StrategyId;
  label: string;
  /** What the sample would have cost under this strategy, nano-dollars, exact. */
  totalNanos: bigint;
  /** Counts behind the figure: hits, models routed to. */
  detail: string;
}

/** A replayed sample: what each strategy would have cost it, how to scale it up, and what was assumed. */
export interface Simulation {
  /** "log requests.jsonl" or "ledger". */
  source: string;
  /** Requests that were priced (and that every strategy's total covers). */
  requests: number;
  scaling: Scaling;
  /** First and last request time, when known. */
  firstTs: number | undefined;
  lastTs: number | undefined;
  /** The first strategy is the baseline the others are compared with. */
  strategies: StrategyResult[];
  assumptions: string[];
  /** What the reader must know before trusting the figures (a short sample); printed first. */
  warnings: string[];
}

/** "gpt-4o 2.5/10/1.25": USD per 1M input/output/cached-input tokens, for the assumptions. */
export function describePrices(models: Iterable<ModelEntry>): string {
  const seen = new Map<string, Price>();
  for (const model of models) seen.set(model.name, model.price);
  return [...seen]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, price]) => `${name} ${picoToUsdPerMillion(price.inputPico)}/${picoToUsdPerMillion(price.outputPico)}/${picoToUsdPerMillion(price.cachedInputPico)}`)
    .join('; ');
}

/** "gpt-4o-mini ×3, gpt-4o ×1": most used first. */
export function describeCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([name, count]) => `${name} ×${count}`).join(', ');
}
