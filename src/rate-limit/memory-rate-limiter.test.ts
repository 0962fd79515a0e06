import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './memory-rate-limiter.js';
import { describeRateLimiterConformance } from './rate-limiter.case.js';

function fakeClock() {
  let now = Date.UTC(2026, 10, 23, 12);
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describeRateLimiterConformance('memory', async () => {
  const clock = fakeClock();
  return {
    limiter: createMemoryRateLimiter({ now: clock.now }),
    elapse: async (ms) => {
      clock.advance(ms);
    },
  };
});

describe('createMemoryRateLimiter', () => {
  it('gives exact Retry-After on its injected clock', async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter({ now: clock.now });
    const rpm = { limit: 60, periodMs: 60_000 };
    for (let i = 0; i < 60; i++) await limiter.take('rpm:key:k_1', rpm);
    expect(await limiter.take('rpm:key:k_1', rpm)).toEqual({ allowed: false, retryAfterMs: 1_000, exceedsLimit: false });
    clock.advance(400);
    expect(await limiter.take('rpm:key:k_1', rpm)).toEqual({ allowed: false, retryAfterMs: 600, exceedsLimit: false });
    clock.advance(600);
    expect(await limiter.take('rpm:key:k_1', rpm)).toEqual({ allowed: true, remaining: 0, resetAfterMs: 60_000 });
  });

  it('forgets a key once its limit is whole again, so it starts fresh', async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter({ now: clock.now });
    await limiter.take('k', { limit: 2, periodMs: 1_000 }, 2);
    clock.advance(60_000);
    expect(await limiter.take('k', { limit: 2, periodMs: 1_000 }, 2)).toEqual({ allowed: true, remaining: 0, resetAfterMs: 1_000 });
  });
});
