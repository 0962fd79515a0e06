import { describe, expect, it } from 'vitest';
import { formatGoDuration, rateLimitHeaders } from './rate-limit-headers.js';

describe('rateLimitHeaders', () => {
  it('writes reset as OpenAI does, a Go duration', () => {
    expect([0, 17, 1000, 8640, 86_400, 360_000, 3_723_000].map(formatGoDuration)).toEqual(['0s', '17ms', '1s', '8.64s', '1m26.4s', '6m0s', '1h2m3s']);
  });

  it('names limit, remaining and reset per kind, remaining never below 0', () => {
    expect(rateLimitHeaders({ tokens: { limit: 100, remaining: -3, resetAfterMs: 1500 } })).toEqual({
      'x-ratelimit-limit-tokens': '100',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '1.5s',
    });
  });
});
