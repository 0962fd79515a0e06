import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from './rate-limiter.js';

export interface RateLimiterHarness {
  limiter: RateLimiter;
  /** Lets `ms` pass (a fake clock, or a real wait where the clock is the server's). */
  elapse(ms: number): Promise<void>;
  cleanUp?(): Promise<void>;
}

/**
 * The behaviour every RateLimiter must have. A backend's test file builds a harness and calls this.
 * Limits are chosen so that the few milliseconds a real clock moves during a test cannot change a verdict.
 */
export function describeRateLimiterConformance(name: string, createHarness: () => Promise<RateLimiterHarness>) {
  describe(`${name}: RateLimiter conformance`, () => {
    let harness: RateLimiterHarness;
    let limiter: RateLimiter;
    let keys = 0;
    const nextKey = () => `${name}:k${++keys}`;
    beforeAll(async () => {
      harness = await createHarness();
      limiter = harness.limiter;
    });
    afterAll(async () => {
      await harness?.cleanUp?.();
      await harness?.limiter.close();
    });

    const perTenMinutes = (limit: number) => ({ limit, periodMs: 600_000 });

    it('allows a burst of `limit`, then refuses with a Retry-After of about one interval', async () => {
      const key = nextKey();
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await limiter.take(key, perTenMinutes(5)));
      expect(results.slice(0, 5).map((result) => result.allowed)).toEqual([true, true, true, true, true]);
      expect(results[0]).toMatchObject({ allowed: true, remaining: 4 });
      expect(results[4]).toMatchObject({ allowed: true, remaining: 0 });
      const refused = results[5];
      expect(refused.allowed).toBe(false);
      if (refused.allowed) return;
      expect(refused.exceedsLimit).toBe(false);
      // One interval is 120 s; a real clock has moved a little since the first take.
      expect(refused.retryAfterMs).toBeGreaterThan(110_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(120_000);
    });

    it('refills one unit per interval', async () => {
      const key = nextKey();
      const limit = { limit: 2, periodMs: 400 };
      await limiter.take(key, limit);
      await limiter.take(key, limit);
      const refused = await limiter.take(key, limit);
      expect(refused.allowed).toBe(false);
      await harness.elapse((refused.allowed ? 0 : refused.retryAfterMs) + 20);
      expect((await limiter.take(key, limit)).allowed).toBe(true);
    });

    it('keeps keys apart', async () => {
      const [one, two] = [nextKey(), nextKey()];
      expect((await limiter.take(one, perTenMinutes(1))).allowed).toBe(true);
      expect((await limiter.take(one, perTenMinutes(1))).allowed).toBe(false);
      expect((await limiter.take(two, perTenMinutes(1))).allowed).toBe(true);
    });

    it('charges a cost (tokens) and refuses what does not fit without taking it', async () => {
      const key = nextKey();
      expect(await limiter.take(key, perTenMinutes(1_000), 600)).toMatchObject({ allowed: true, remaining: 400 });
      expect(await limiter.take(key, perTenMinutes(1_000), 500)).toMatchObject({ allowed: false, exceedsLimit: false });
      expect(await limiter.take(key, perTenMinutes(1_000), 400)).toMatchObject({ allowed: true });
    });

    it('refuses for good a cost above the limit', async () => {
      const key = nextKey();
      expect(await limiter.take(key, perTenMinutes(100), 101)).toEqual({ allowed: false, retryAfterMs: 600_000, exceedsLimit: true });
      expect(await limiter.take(key, perTenMinutes(100), 100)).toMatchObject({ allowed: true });
    });

    it('gives unused tokens back with a negative adjustment', async () => {
      const key = nextKey();
      await limiter.take(key, perTenMinutes(1_000), 900);
      expect((await limiter.take(key, perTenMinutes(1_000), 500)).allowed).toBe(false);
      await limiter.adjust(key, perTenMinutes(1_000), -600);
      expect(await limiter.take(key, perTenMinutes(1_000), 500)).toMatchObject({ allowed: true });
      await limiter.adjust(key, perTenMinutes(1_000), -10_000);
      expect(await limiter.take(key, perTenMinutes(1_000), 1_000)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('charges tokens beyond the estimate with a positive adjustment', async () => {
      const key = nextKey();
      await limiter.take(key, perTenMinutes(1_000), 100);
      await limiter.adjust(key, perTenMinutes(1_000), 950);
      expect(await limiter.take(key, perTenMinutes(1_000), 1)).toMatchObject({ allowed: false, exceedsLimit: false });
    });

    it('lets exactly `limit` concurrent takes through', async () => {
      const key = nextKey();
      const results = await Promise.all(Array.from({ length: 50 }, () => limiter.take(key, perTenMinutes(20))));
      expect(results.filter((result) => result.allowed)).toHaveLength(20);
    });

    it('rejects malformed limits and costs', async () => {
      await expect(limiter.take(nextKey(), { limit: 0, periodMs: 1_000 })).rejects.toThrow(RangeError);
      await expect(limiter.take(nextKey(), { limit: 10, periodMs: 1.5 })).rejects.toThrow(RangeError);
      await expect(limiter.take(nextKey(), perTenMinutes(10), -1)).rejects.toThrow(RangeError);
      await expect(limiter.adjust(nextKey(), perTenMinutes(10), 0.5)).rejects.toThrow(RangeError);
    });
  });
}
