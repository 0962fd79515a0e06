import { priceUsage, tokensCostNanos, type Price } from '../catalog/pricing.js';

/** Where a request's saving against the baseline model came from. All integer nano-dollars. */
export interface SavingsBreakdown {
  /** What the baseline model would have charged for the same tokens, with no cache, compression or prompt caching. */
  baselineNanos: number;
  routingNanos: number;
  cacheNanos: number;
  compressionNanos: number;
  promptCacheNanos: number;
  /** A patient lane's price (batch API, flex, off-peak) against the real-time price of the same call. */
  batchNanos?: number;
  /** Prompt batching: N requests sent as one call, net of re-sends. */
  batchingNanos?: number;
  /** Apart from the saving: configured baseline − the caller's own named model, on the same tokens (0 under a route). */
  callerChoiceNanos: number;
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
  /** What this request is measured against: the route's baseline, or the model the caller named. */
  baselinePrice: Price | undefined;
  /** The configured baseline model, when the caller named a model directly: their choice is shown apart, never as a saving. */
  referencePrice?: Price | undefined;
  /** Set when the answer came from the response cache: what the original call cost. */
  cacheHitOriginalCostNanos: number | undefined;
  /** On a cache hit: what the providers' prompt caches took off the original call's cost. */
  cacheHitPromptCacheSavedNanos?: number;
  /** What a patient lane's tier or hour (flex, off-peak) saved against the real-time price of the same calls (background lane). */
  batchSavedNanos?: number;
  /** What prompt batching saved, net of re-sends (already netted out of costNanos). */
  batchingSavedNanos?: number;
}

const NONE = { routingNanos: 0, cacheNanos: 0, compressionNanos: 0, promptCacheNanos: 0, callerChoiceNanos: 0 };

/**
 * Counterfactual savings, credited only for what Frugal decided. The baseline is the route's own
 * (`routes.<name>.baseline_model`, else `savings.baseline_model`) when a route served the request, and the
 * model the caller named when they named one: a caller who picks a cheap model saved that themselves
 * (`callerChoiceNanos`, shown apart), and routing is credited only when Frugal served a cheaper model than that.
 * Attributed step by step from the baseline to what was paid:
 * baseline model → served model (routing) → compressed prompt (compression) → provider prompt cache → cost;
 * a cache hit saves what the original call cost. Each step is a difference of integer amounts, so the parts
 * always add up exactly: baseline − cost = routing + cache + compression + prompt cache. Pure: no I/O.
 */
export function attributeSavings(input: SavingsInput): SavingsBreakdown {
  const { costNanos, baselinePrice, servedPrice } = input;
  if (baselinePrice === undefined) return { baselineNanos: costNanos, ...NONE };
  const uncached = { promptTokens: input.promptTokens + input.compressedAwayTokens, completionTokens: input.completionTokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };
  const baselineNanos = priceUsage(uncached, baselinePrice);
  const callerChoiceNanos = input.referencePrice === undefined ? 0 : priceUsage(uncached, input.referencePrice) - baselineNanos;
  if (input.cacheHitOriginalCostNanos !== undefined) {
    const cacheNanos = input.cacheHitOriginalCostNanos - costNanos;
    // The original call's price already had its prompt-cache discount in it: left in, routing would be credited
    // for it (on a named model, where routing decided nothing).
    const promptCacheNanos = input.cacheHitPromptCacheSavedNanos ?? 0;
    return { baselineNanos, ...NONE, cacheNanos, promptCacheNanos, routingNanos: baselineNanos - costNanos - cacheNanos - promptCacheNanos, callerChoiceNanos };
  }
  const grossCompression = servedPrice === undefined ? 0 : tokensCostNanos(input.compressedAwayTokens, servedPrice.inputPico);
  const compressionNanos = grossCompression - input.compressionCostNanos;
  const promptCacheNanos = input.promptCacheSavedNanos;
  // The lane's saving is the step from the real-time price to the price paid: routing keeps only its own part.
  const batchNanos = input.batchSavedNanos ?? 0;
  const batchingNanos = input.batchingSavedNanos ?? 0;
  const routingNanos = baselineNanos - costNanos - promptCacheNanos - compressionNanos - batchNanos - batchingNanos;
  return {
    baselineNanos,
    routingNanos,
    cacheNanos: 0,
    compressionNanos,
    promptCacheNanos,
    ...(batchNanos === 0 ? {} : { batchNanos }),
    ...(batchingNanos === 0 ? {} : { batchingNanos }),
    callerChoiceNanos,
  };
}
