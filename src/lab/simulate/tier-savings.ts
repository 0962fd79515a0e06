import { priceUsage, type Price, type TokenRates } from '../../catalog/pricing.js';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import type { TokenUsage } from '../../wire/token-usage.js';

/** A cheaper way to run work that can wait: a batch API, OpenAI's flex tier, or a provider's off-peak hours. */
export type PatientTier = 'batch' | 'flex' | 'off_peak';

export interface TierOption {
  tier: PatientTier;
  /** Tagged rows whose model offers this tier. */
  rows: number;
  /** What those rows cost as recorded. */
  recordedNanos: bigint;
  /** What they would have cost at this tier's price (same tokens, same prompt-cache hits). */
  projectedNanos: bigint;
  /** recorded − projected; negative when the tier is dearer than what was paid. */
  savedNanos: bigint;
}

export interface TierSavings {
  /** The selector as given: `name=value`, `name=*` or `name`. */
  tag: string;
  /** Answered tagged rows that were priced (a served model the catalog knows, not a cache hit). */
  rows: number;
  recordedNanos: bigint;
  /** One entry per tier some tagged row's model offers, in the order batch, flex, off_peak. */
  options: TierOption[];
  /** Each row at the cheapest tier its model offers (or as recorded when it offers none cheaper). */
  cheapestNanos: bigint;
  cheapestSavedNanos: bigint;
  /** Tagged rows left out, and why. */
  skipped: { cacheHits: number; notOk: number; unknownModel: number };
}

const TIERS: readonly PatientTier[] = ['batch', 'flex', 'off_peak'];

/**
 * What moving tagged background traffic to batch, flex or off-peak prices would have saved, on the ledger's
 * own rows: each row's tokens (cached ones included) at the tier's rates of the model that served it,
 * against what the row cost. Exact integer nano-dollars; pure. The waiting is not priced: batch answers come
 * within 24 h, flex may be refused under load, off-peak means waiting for the window.
 *
 * @example
 * projectTierSavings(rows, config.models, { tag: 'job=nightly-summary' }).cheapestSavedNanos;
 */
export function projectTierSavings(rows: readonly LedgerRow[], catalog: ReadonlyMap<string, { price: Price }>, options: { tag: string }): TierSavings {
  const matches = tagMatcher(options.tag);
  const totals = new Map<PatientTier, TierOption>();
  const result: TierSavings = { tag: options.tag, rows: 0, recordedNanos: 0n, options: [], cheapestNanos: 0n, cheapestSavedNanos: 0n, skipped: { cacheHits: 0, notOk: 0, unknownModel: 0 } };
  for (const row of rows) {
    if (!matches(row.tags)) continue;
    if (row.status !== 'ok') {
      result.skipped.notOk += 1;
      continue;
    }
    if (row.cacheStatus === 'hit' || (row.cacheStatus?.startsWith('semantic-hit') ?? false)) {
      result.skipped.cacheHits += 1;
      continue;
    }
    const price = row.servedModel === null ? undefined : catalog.get(row.servedModel)?.price;
    if (price === undefined) {
      result.skipped.unknownModel += 1;
      continue;
    }
    const recorded = BigInt(row.costNanos);
    result.rows += 1;
    result.recordedNanos += recorded;
    let cheapest = recorded;
    for (const tier of TIERS) {
      const rates = tierRates(price, tier);
      if (rates === undefined) continue;
      const projected = BigInt(priceUsage(usageOf(row), rates));
      const option = totals.get(tier) ?? { tier, rows: 0, recordedNanos: 0n, projectedNanos: 0n, savedNanos: 0n };
      option.rows += 1;
      option.recordedNanos += recorded;
      option.projectedNanos += projected;
      option.savedNanos += recorded - projected;
      totals.set(tier, option);
      if (projected < cheapest) cheapest = projected;
    }
    result.cheapestNanos += cheapest;
  }
  result.cheapestSavedNanos = result.recordedNanos - result.cheapestNanos;
  result.options = TIERS.flatMap((tier) => totals.get(tier) ?? []);
  return result;
}

function tierRates(price: Price, tier: PatientTier): TokenRates | undefined {
  return tier === 'batch' ? price.batch : tier === 'flex' ? price.flex : price.offPeak;
}

function usageOf(row: LedgerRow): TokenUsage {
  return {
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedPromptTokens: row.cachedTokens,
    cacheCreationTokens: row.cacheCreationTokens,
    reasoningTokens: 0,
    estimated: row.tokensEstimated,
  };
}

/** `name=value` matches that value, `name=*` or `name` any value of the tag. */
function tagMatcher(selector: string): (tags: Readonly<Record<string, string>>) => boolean {
  const equals = selector.indexOf('=');
  const name = equals < 0 ? selector : selector.slice(0, equals);
  const value = equals < 0 ? '*' : selector.slice(equals + 1);
  return (tags) => Object.hasOwn(tags, name) && (value === '*' || tags[name] === value);
}
