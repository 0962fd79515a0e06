import { priceAt, type AppliedRate, type PriceTier } from '../catalog/price-at.js';
import { windowContains } from '../catalog/price-window.js';
import { priceUsage, type Price } from '../catalog/pricing.js';
import { nextStartOfAny } from './next-window-start.js';

export interface PatientPlan {
  /** The tier to send upstream (`flex` adds `service_tier: "flex"`). */
  tier: PriceTier;
  /** Epoch ms to send it at: now, or when an off-peak window opens. */
  startAt: number;
  /** The rate that will apply. */
  applied: AppliedRate;
  /** The plan's price of the estimated tokens, and the real-time one, nano-dollars (for the choice only). */
  expectedNanos: number;
  realtimeNanos: number;
}

export interface PlanInput {
  /** The tier the caller asked for (its `service_tier`): what "real time" means for this request. */
  requested: PriceTier;
  /** Now; the request arrived then. */
  at: number;
  /** The reply is due by then: an off-peak window that opens later is no use. */
  deadlineAt: number;
  /** Token estimate the choice is made on (prompt + the output the request allows). */
  promptTokens: number;
  outputTokens: number;
}

/**
 * The cheapest way a provider offers to serve a request that can wait until `deadlineAt`: real time, the flex
 * tier (where the model has a flex price), or the next off-peak window (where one opens before the deadline).
 * Ties go to the earliest start: nobody waits for nothing. Pure: clock and estimate are passed in.
 *
 * @example
 * planPatientCall(deepseek.price, { requested: 'standard', at, deadlineAt: at + 3_600_000, promptTokens: 900, outputTokens: 300 });
 * // → { tier: 'standard', startAt: <16:30 UTC>, applied: 'off_peak', … } when the window opens within the hour
 */
export function planPatientCall(price: Price, input: PlanInput): PatientPlan {
  const usage = { promptTokens: input.promptTokens, completionTokens: input.outputTokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: true };
  const realtime = priceAt(price, { tier: input.requested, at: input.at });
  const realtimeNanos = priceUsage(usage, realtime);
  const candidates: PatientPlan[] = [{ tier: input.requested, startAt: input.at, applied: realtime.applied, expectedNanos: realtimeNanos, realtimeNanos }];
  if (price.flex) {
    const flex = priceAt(price, { tier: 'flex', at: input.at });
    candidates.push({ tier: 'flex', startAt: input.at, applied: flex.applied, expectedNanos: priceUsage(usage, flex), realtimeNanos });
  }
  if (price.offPeak && realtime.applied !== 'off_peak') {
    const opens = nextStartOfAny(price.offPeak.windows, input.at, windowContains);
    if (opens !== undefined && opens <= input.deadlineAt) {
      const later = priceAt(price, { tier: 'standard', at: opens });
      candidates.push({ tier: 'standard', startAt: opens, applied: later.applied, expectedNanos: priceUsage(usage, later), realtimeNanos });
    }
  }
  return candidates.reduce((best, candidate) =>
    candidate.expectedNanos < best.expectedNanos || (candidate.expectedNanos === best.expectedNanos && candidate.startAt < best.startAt) ? candidate : best,
  );
}
