import { priceAt } from '../../catalog/price-at.js';
import { priceUsage } from '../../catalog/pricing.js';
import type { GatewayConfig, ModelEntry } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { formatPercent } from '../../ledger/report-format.js';
import { formatSpan, MONTH_DAYS, projectionWarnings, type Scaling } from './project-cost.js';
import { describeCounts, describePrices, type Simulation } from './simulation.js';

export interface LedgerSimulationOptions {
  config: GatewayConfig;
  /** Served model → model to price its rows at instead (`--swap gpt-4o=gpt-4o-mini`). */
  swaps?: ReadonlyMap<string, string>;
  requestsPerDay?: number;
  /** The queried range; with a start, the span is start → end (or now), not first → last row. */
  since?: number;
  until?: number;
  now: number;
}

const isCacheHit = (row: LedgerRow) => row.cacheStatus === 'hit' || (row.cacheStatus?.startsWith('semantic-hit') ?? false);

/**
 * What the ledger allows without prompts: the spend as recorded, the same served tokens at the candidate
 * config's prices, model swaps, and the spend without the response cache (what its hits saved). Routing and
 * cache replays need prompt text, which the ledger never keeps; they need a request log.
 */
export function simulateLedger(rows: readonly LedgerRow[], options: LedgerSimulationOptions): Simulation {
  const { config } = options;
  if (rows.length === 0) throw new FrugalError('invalid_request', 'the ledger has no rows in the chosen range');
  const swaps = options.swaps ?? new Map<string, string>();
  for (const [from, to] of swaps) {
    if (config.models.get(to)?.type !== 'chat') throw new FrugalError('invalid_request', `--swap ${from}=${to}: '${to}' is not a chat model of the candidate config`, { param: 'swap' });
  }
  const price = (row: LedgerRow, model: ModelEntry, sameModel: boolean) =>
    BigInt(
      priceUsage(
        {
          promptTokens: row.promptTokens,
          completionTokens: row.completionTokens,
          cachedPromptTokens: sameModel ? row.cachedTokens : 0,
          cacheCreationTokens: sameModel ? row.cacheCreationTokens : 0,
          reasoningTokens: 0,
          estimated: row.tokensEstimated,
        },
        // The rates in force when the row was recorded: an off-peak row is not repriced at peak.
        priceAt(model.price, { tier: 'standard', at: row.ts }),
      ),
    );

  const totals = { current: 0n, repriced: 0n, swapped: 0n, cacheOff: 0n, compressionOff: 0n };
  let compressed = 0;
  const unknown = new Map<string, number>();
  const served = new Map<string, number>();
  const swapped = new Map<string, number>();
  const priced: ModelEntry[] = [];
  let hits = 0;
  let estimated = 0;
  // Rows no model answered (refused, failed before routing): recorded at their cost (usually 0), never repriced.
  let unserved = 0;
  for (const row of rows) {
    const recorded = BigInt(row.costNanos);
    totals.current += recorded;
    totals.cacheOff += recorded + (isCacheHit(row) ? BigInt(row.savedCacheNanos) : 0n);
    // The net saving of compression and context pruning, as the gateway recorded it (negative when it cost more).
    totals.compressionOff += recorded + BigInt(row.savedCompressionNanos);
    if (row.savedCompressionNanos !== 0) compressed += 1;
    if (row.tokensEstimated) estimated += 1;
    if (isCacheHit(row)) hits += 1;
    const model = row.servedModel === null ? undefined : config.models.get(row.servedModel);
    const swapTo = row.servedModel === null ? undefined : swaps.get(row.servedModel);
    // A cache hit cost nothing under any price.
    if (isCacheHit(row)) {
      totals.repriced += recorded;
      totals.swapped += recorded;
      continue;
    }
    if (model === undefined) {
      // A model the candidate no longer has keeps its recorded cost, unless it is swapped for one it has.
      if (row.servedModel !== null) count(unknown, row.servedModel);
      else unserved += 1;
      totals.repriced += recorded;
    } else {
      count(served, model.name);
      priced.push(model);
      totals.repriced += price(row, model, true);
    }
    if (swapTo === undefined) {
      totals.swapped += model === undefined ? recorded : price(row, model, true);
      continue;
    }
    const target = config.models.get(swapTo)!;
    count(swapped, `${row.servedModel}→${swapTo}`);
    priced.push(target);
    totals.swapped += price(row, target, target === model);
  }

  const n = rows.length;
  const first = rows[0].ts;
  const last = rows[n - 1].ts;
  let scaling: Scaling;
  let scaleNote: string;
  if (options.requestsPerDay !== undefined) {
    scaling = { kind: 'rate', requestsPerDay: options.requestsPerDay };
    scaleNote = `scale: ${options.requestsPerDay} requests a day (--requests-per-day); per day = total × ${options.requestsPerDay} / ${n} rows`;
  } else {
    const spanMs = options.since !== undefined ? (options.until ?? options.now) - options.since : last - first;
    if (spanMs <= 0) throw new FrugalError('invalid_request', 'the rows cover no time: pass --since or --requests-per-day N', { param: 'requests-per-day' });
    scaling = { kind: 'span', spanMs };
    scaleNote = `scale: the rows cover ${formatSpan(spanMs)} (${options.since !== undefined ? 'the --since/--until range' : 'first to last row'}); per day = total × 1 day / that span`;
  }

  const warnings = projectionWarnings(scaling, 'requests-per-day');
  // Every row read is in exactly one of these groups, so the counts add up to the rows.
  const groups = [
    served.size > 0 ? `served by ${describeCounts(served)}` : undefined,
    unknown.size > 0 ? `served by models the candidate config lacks (kept as recorded): ${describeCounts(unknown)}` : undefined,
    hits > 0 ? `cache hits ×${hits}` : undefined,
    unserved > 0 ? `answered by no model (refused or failed before routing) ×${unserved}` : undefined,
  ].filter((group) => group !== undefined);
  const strategies: Simulation['strategies'] = [
    { id: 'current', label: 'current (as recorded)', totalNanos: totals.current, detail: `${n} rows: ${groups.join('; ')}` },
    { id: 'repriced', label: 'candidate prices', totalNanos: totals.repriced, detail: `same models and tokens at the candidate config's prices${unknown.size > 0 ? `; kept as recorded: ${describeCounts(unknown)}` : ''}` },
  ];
  if (swaps.size > 0) strategies.push({ id: 'swapped', label: 'model swap', totalNanos: totals.swapped, detail: describeCounts(swapped) || 'no row was served by a swapped model' });
  if (compressed > 0) {
    strategies.push({ id: 'compression_off', label: 'without compression', totalNanos: totals.compressionOff, detail: `${compressed} of ${n} rows had their prompt reduced, paid again at what that saved` });
  }
  strategies.push({ id: 'cache_off', label: 'without response cache', totalNanos: totals.cacheOff, detail: `${hits} of ${n} rows were cache hits (${hitRate(hits, n)}), paid again at what they saved` });

  return {
    source: 'ledger',
    requests: n,
    scaling,
    firstTs: first,
    lastTs: last,
    strategies,
    warnings,
    assumptions: [
      `${scaleNote}; month = ${MONTH_DAYS} days`,
      'the ledger keeps no prompt text: routing and cache replays are not possible from it (use --log with a request log); these figures reprice what was served',
      `prices, USD per 1M tokens input/output/cached input, from the candidate config: ${describePrices(priced) || 'none used'}`,
      'each row is repriced as one call of its served model (failed attempts and cascade tiers included in its tokens); a swapped model bills provider prompt-cache reads as input',
      `tokens: ${n - estimated} rows with provider usage, ${estimated} counted by Frugal (estimated)`,
      `response cache: observed hit rate ${hitRate(hits, n)}; "without response cache" adds back what each hit saved (the original call's cost)`,
    ],
  };
}

function count(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function hitRate(hits: number, rows: number): string {
  return `${formatPercent(BigInt(hits), BigInt(rows))}%`;
}
