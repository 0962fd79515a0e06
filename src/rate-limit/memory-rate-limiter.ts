import { gcraAdjust, gcraTake } from './gcra.js';
import { checkCost, checkRateLimit, type RateLimiter } from './rate-limiter.js';

export interface MemoryRateLimiterOptions {
  /** Epoch ms; passed in so tests are exact. */
  now?: () => number;
}

/**
 * Rate limits in this process (the embedded default). One number per active key; keys whose limit is
 * whole again are swept now and then, so idle keys cost nothing.
 *
 * @example
 * const limiter = createMemoryRateLimiter();
 * const verdict = await limiter.take('rpm:key:k_1', { limit: 600, periodMs: 60_000 });
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const tats = new Map<string, number>();
  let nextSweepAt = 0;

  function nowUs(): number {
    const at = now();
    if (at >= nextSweepAt) {
      nextSweepAt = at + 10_000;
      for (const [key, tat] of tats) if (tat <= at * 1000) tats.delete(key);
    }
    return at * 1000;
  }

  return {
    async take(key, limit, cost = 1) {
      checkRateLimit(limit);
      checkCost(cost);
      const step = gcraTake(tats.get(key), nowUs(), limit, cost);
      if (step.tatUs !== undefined) tats.set(key, step.tatUs);
      return step.result;
    },

    async adjust(key, limit, deltaCost) {
      checkRateLimit(limit);
      if (!Number.isSafeInteger(deltaCost)) throw new RangeError(`A rate-limit adjustment must be an integer, got ${deltaCost}.`);
      const tat = gcraAdjust(tats.get(key), nowUs(), limit, deltaCost);
      if (tat === undefined) tats.delete(key);
      else tats.set(key, tat);
    },

    async close() {
      tats.clear();
    },
  };
}
