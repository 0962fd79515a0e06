import { priceUsage, type Price } from '../catalog/pricing.js';

/** Where a request's saving against the baseline model came from. All integer nano-dollars. */
export interface SavingsBreakdown {
  /** What the baseline model would have charged for the same tokens, with no cache, compression or prompt caching. */
  baselineNanos: number;
  routingNanos: number;
  cacheNanos: number;
  compressionNanos: number;
  promptCacheNanos: number;
}

export interface SavingsInput {
  /** What the request actually cost (every attempt). */
  costNanos: number;
  /** Net saving of providers' prompt caches over the attempts. */
  promptCacheSavedNanos: number;
  /** Prompt and completion tokens of the answer that was served (compressed prompt, if compression ran). */
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens the compression stage removed. */
  compressedAwayTokens: number;
  /** What the compression stage itself spent (summaries by a cheap model): compression's saving is net of it. */
  compressionCostNanos: number;
  servedPrice: Price | undefined;
  baselinePrice: Price | undefined;
  /** Set when the answer came from the response cache: what the original call cost. */
  cacheHitOriginalCostNanos: number | undefined;
}

const NONE = { routingNanos: 0, cacheNanos: 0, compressionNanos: 0, promptCacheNanos: 0 };

/**
 * Counterfactual savings, attributed step by step from the baseline to what was paid:
 * baseline model → served model (routing) → compressed prompt (compression) → provider prompt cache → cost;
 * a cache hit saves what the original call cost. Each step is a difference of integer amounts, so the parts
 * always add up exactly: baseline − cost = routing + cache + compression + prompt cache. Pure: no I/O.
 */
export function attributeSavings(input: SavingsInput): SavingsBreakdown {
  const { costNanos, baselinePrice, servedPrice } = input;
  if (baselinePrice === undefined) return { baselineNanos: costNanos, ...NONE };
  const baselineNanos = priceUsage(
    { promptTokens: input.promptTokens + input.compressedAwayTokens, completionTokens: input.completionTokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false },
    baselinePrice,
  );
  if (input.cacheHitOriginalCostNanos !== undefined) {
    const cacheNanos = input.cacheHitOriginalCostNanos - costNanos;
    return { baselineNanos, ...NONE, cacheNanos, routingNanos: baselineNanos - costNanos - cacheNanos };
  }
  const grossCompression = servedPrice === undefined ? 0 : Math.floor((input.compressedAwayTokens * servedPrice.inputPico + 500) / 1000);
  const compressionNanos = grossCompression - input.compressionCostNanos;
  const promptCacheNanos = input.promptCacheSavedNanos;
  const routingNanos = baselineNanos - costNanos - promptCacheNanos - compressionNanos;
  return { baselineNanos, routingNanos, cacheNanos: 0, compressionNanos, promptCacheNanos };
}
