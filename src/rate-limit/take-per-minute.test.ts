import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './memory-rate-limiter.js';
import { takePerMinute } from './take-per-minute.js';

const limits = { rpm: { bucket: 'rpm:x', limit: 2 }, tpm: { bucket: 'tpm:x', limit: 100 } };

describe('takePerMinute', () => {
  it('takes a request and the estimate capped at the limit, and corrects to what was used', async () => {
    const limiter = createMemoryRateLimiter();
    const taken = await takePerMinute(limiter, limits, () => ({ estimate: 500, required: 40 }));
    expect(taken).toMatchObject({ allowed: true, takenTokens: 100, requests: { limit: 2, remaining: 1 }, tokens: { limit: 100, remaining: 0 } });
    if (!taken.allowed) return;
    await taken.correct(30);
    const next = await takePerMinute(limiter, limits, () => ({ estimate: 70 }));
    expect(next).toMatchObject({ allowed: true, tokens: { remaining: 0 } });
  });

  it('gives the request back when the tokens are refused, and says when no wait can help', async () => {
    const limiter = createMemoryRateLimiter();
    expect(await takePerMinute(limiter, limits, () => ({ estimate: 10, required: 101 }))).toMatchObject({ allowed: false, limit: 'tpm', retryAfterMs: undefined });
    expect(await takePerMinute(limiter, limits, () => ({ estimate: 100 }))).toMatchObject({ allowed: true });
    const refused = await takePerMinute(limiter, limits, () => ({ estimate: 50 }));
    expect(refused).toMatchObject({ allowed: false, limit: 'tpm' });
    expect(refused.allowed === false && refused.retryAfterMs).toBeGreaterThan(0);
    // Both refusals gave their request back: one of the two per minute is still free.
    expect(await takePerMinute(limiter, { rpm: limits.rpm }, () => ({ estimate: 0 }))).toMatchObject({ allowed: true, requests: { remaining: 0 } });
    expect(await takePerMinute(limiter, { rpm: limits.rpm }, () => ({ estimate: 0 }))).toMatchObject({ allowed: false, limit: 'rpm' });
  });
});
