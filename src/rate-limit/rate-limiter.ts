/** At most `limit` units (requests, tokens) per `periodMs`, all of which may be used in one burst. */
export interface RateLimit {
  limit: number;
  periodMs: number;
}

export type RateLimitResult =
  | {
      allowed: true;
      /** Units that could still be taken right now. */
      remaining: number;
      /** Until the limit is whole again. */
      resetAfterMs: number;
    }
  | {
      allowed: false;
      /** When the same take would pass (the 429's Retry-After). */
      retryAfterMs: number;
      /** The cost alone is above the limit: no wait will ever let it through. */
      exceedsLimit: boolean;
    };

/**
 * A GCRA rate limiter (the "generic cell rate algorithm": one timestamp per key, no windows to sweep).
 * Keys say what is limited, e.g. `rpm:key:k_1`, `tpm:deployment:openai/gpt-4o`.
 *
 * Requests per minute: `take(key, { limit: 600, periodMs: 60_000 })`.
 * Tokens per minute need a reserve-then-correct: take the estimated tokens up front, then, when the call
 * has reported its usage, `adjust(key, limit, actual - estimated)` (negative gives unused tokens back).
 */
export interface RateLimiter {
  /** Takes `cost` units (default 1) if they fit; a refused take takes nothing. */
  take(key: string, limit: RateLimit, cost?: number): Promise<RateLimitResult>;
  /** Charges (positive) or refunds (negative) units after the fact; it never refuses. */
  adjust(key: string, limit: RateLimit, deltaCost: number): Promise<void>;
  close(): Promise<void>;
}

export function checkRateLimit(limit: RateLimit): RateLimit {
  if (!Number.isSafeInteger(limit.limit) || limit.limit <= 0) throw new RangeError(`A rate limit needs a positive integer limit, got ${limit.limit}.`);
  if (!Number.isSafeInteger(limit.periodMs) || limit.periodMs <= 0) throw new RangeError(`A rate limit needs a positive integer periodMs, got ${limit.periodMs}.`);
  // The arithmetic is in integer microseconds; cost × period must stay exact in a double.
  if (limit.limit * limit.periodMs * 1000 > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`Rate limit ${limit.limit} per ${limit.periodMs} ms is too large to count exactly; use a shorter period.`);
  }
  return limit;
}

export function checkCost(cost: number, what = 'A rate-limit cost'): number {
  if (!Number.isSafeInteger(cost) || cost < 0) throw new RangeError(`${what} must be a non-negative integer, got ${cost}.`);
  return cost;
}
