import type { Price, TokenRates } from './pricing.js';
import { windowContains } from './price-window.js';

/** How patient the call is: real time, OpenAI's `service_tier: "flex"`, or a batch API line. */
export type PriceTier = 'standard' | 'flex' | 'batch';

/** Which of a model's rates a call was priced at. */
export type AppliedRate = 'standard' | 'off_peak' | 'flex' | 'batch';

export interface RatesInForce extends TokenRates {
  applied: AppliedRate;
}

/**
 * The rates in force for a call of `tier` made at epoch milliseconds `at`. A tier the model has no price
 * for falls back to the real-time rates (the provider charges those: a flex request to a model without
 * flex, a batch line run by Frugal's own lane). Batch and flex prices do not vary by time of day; off-peak
 * windows apply to real-time calls. Pure: the caller passes the time, so tests choose it.
 *
 * @example
 * priceAt(model.price, { tier: 'standard', at: Date.parse('2026-11-14T12:00:00Z') }).applied; // 'off_peak' on a Saturday
 */
export function priceAt(price: Price, when: { tier: PriceTier; at: number }): RatesInForce {
  if (when.tier === 'batch' && price.batch) return inForce(price.batch, 'batch');
  if (when.tier === 'flex' && price.flex) return inForce(price.flex, 'flex');
  const offPeak = price.offPeak;
  if (offPeak && offPeak.windows.some((window) => windowContains(window, when.at))) return inForce(offPeak, 'off_peak');
  return inForce(price, 'standard');
}

/**
 * Rates with a discount applied, the discount in parts per million (0.5 → 500 000). Each rate is rounded
 * half-up to the pico-dollar per token — exact whenever the discounted price still has at most six
 * decimals per 1M tokens, which holds for every published −50 % price.
 */
export function discountRates(base: TokenRates, discountPpm: number): TokenRates {
  const keep = 1_000_000 - discountPpm;
  const scale = (pico: number) => Math.floor((pico * keep + 500_000) / 1_000_000);
  return { inputPico: scale(base.inputPico), outputPico: scale(base.outputPico), cachedInputPico: scale(base.cachedInputPico), cacheWritePico: scale(base.cacheWritePico) };
}

/** The tier a chat request asks for: OpenAI's `service_tier: "flex"` (sent upstream unchanged), else real time. */
export function requestedTier(request: { service_tier?: unknown; [field: string]: unknown }): PriceTier {
  return request.service_tier === 'flex' ? 'flex' : 'standard';
}

// One object per call (it runs several times a request), not a copy then a spread of it.
function inForce(source: TokenRates, applied: AppliedRate): RatesInForce {
  return { inputPico: source.inputPico, outputPico: source.outputPico, cachedInputPico: source.cachedInputPico, cacheWritePico: source.cacheWritePico, applied };
}
