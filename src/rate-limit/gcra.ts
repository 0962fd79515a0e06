import type { RateLimit, RateLimitResult } from './rate-limiter.js';

/**
 * GCRA in integer microseconds, as pure functions over a key's one piece of state: its theoretical arrival
 * time (TAT), the moment the limit would be whole again. The Redis script does the same arithmetic in Lua.
 *
 * Each unit pushes the TAT one emission interval (period / limit) further; a take passes while the TAT
 * stays within one period of now. The interval is floored to the microsecond, so the limit is at most
 * `limit` µs per period looser than exact, and `limit` takes at one instant always fit.
 */
export function gcraIncrementUs(cost: number, limit: RateLimit): number {
  return Math.floor((cost * limit.periodMs * 1000) / limit.limit);
}

export interface GcraStep {
  result: RateLimitResult;
  /** The key's new TAT, or undefined to leave the state as it was. */
  tatUs: number | undefined;
}

export function gcraTake(storedTatUs: number | undefined, nowUs: number, limit: RateLimit, cost: number): GcraStep {
  const periodUs = limit.periodMs * 1000;
  if (cost > limit.limit) return { result: { allowed: false, retryAfterMs: limit.periodMs, exceedsLimit: true }, tatUs: undefined };
  const tat = Math.max(storedTatUs ?? nowUs, nowUs) + gcraIncrementUs(cost, limit);
  const allowAt = tat - periodUs;
  if (allowAt > nowUs) return { result: { allowed: false, retryAfterMs: Math.ceil((allowAt - nowUs) / 1000), exceedsLimit: false }, tatUs: undefined };
  return {
    result: {
      allowed: true,
      remaining: Math.floor(((nowUs + periodUs - tat) * limit.limit) / periodUs),
      resetAfterMs: Math.ceil((tat - nowUs) / 1000),
    },
    tatUs: tat > nowUs ? tat : undefined,
  };
}

/** The TAT after charging (positive) or refunding (negative) units; undefined when nothing is owed any more. */
export function gcraAdjust(storedTatUs: number | undefined, nowUs: number, limit: RateLimit, deltaCost: number): number | undefined {
  const stored = storedTatUs ?? nowUs;
  // A refund cannot push the TAT into the past: a key never banks more than one full limit.
  const tat =
    deltaCost >= 0 ? Math.max(stored, nowUs) + gcraIncrementUs(deltaCost, limit) : Math.max(stored - gcraIncrementUs(-deltaCost, limit), nowUs);
  return tat > nowUs ? tat : undefined;
}
