import { describe, expect, it } from 'vitest';
import { formatNanosUsd, priceUsage, usdPerMillionToPico } from '../../catalog/pricing.js';
import { formatSpan, projectCost } from './project-cost.js';

describe('projectCost', () => {
  it('gets the seed arithmetic right: 1 600 input tokens at $0.25 per 1M is $0.0004 a request, $4 a day at 10 000 a day', () => {
    const price = { inputPico: usdPerMillionToPico('0.25'), outputPico: 0, cachedInputPico: 0, cacheWritePico: 0 };
    // 1 600 × 250 000 pico = 400 000 000 pico = 400 000 nano = $0.0004 (not $0.024).
    const saved = priceUsage({ promptTokens: 1600, completionTokens: 0, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, price);
    expect(saved).toBe(400_000);
    const projection = projectCost(BigInt(saved), 1, { kind: 'rate', requestsPerDay: 10_000 });
    expect(formatNanosUsd(projection.perRequestNanos)).toBe('0.0004');
    expect(formatNanosUsd(projection.perDayNanos)).toBe('4');
    expect(formatNanosUsd(projection.perMonthNanos)).toBe('120');
  });

  it('scales by the time the sample covers, rounding each figure once from the exact total', () => {
    // 7 nano over 3 requests in 12 hours: 2.33… → 2 a request; 14 a day; 420 a month (not 2 × 2 × 30 = 120).
    expect(projectCost(7n, 3, { kind: 'span', spanMs: 12 * 3_600_000 })).toEqual({ perRequestNanos: 2n, perDayNanos: 14n, perMonthNanos: 420n });
    // 5 nano over 2 requests: 2.5 rounds half-up to 3; at 3 a day, 7.5 → 8; a month 225.
    expect(projectCost(5n, 2, { kind: 'rate', requestsPerDay: 3 })).toEqual({ perRequestNanos: 3n, perDayNanos: 8n, perMonthNanos: 225n });
    // Totals past 2^53 nano-dollars stay exact.
    expect(projectCost(2n ** 60n, 1, { kind: 'rate', requestsPerDay: 1 }).perMonthNanos).toBe(30n * 2n ** 60n);
  });

  it('describes a span', () => {
    expect(formatSpan(86_400_000)).toBe('1 d');
    expect(formatSpan(9_000_000 + 1500)).toBe('2 h 30 min 1 s 500 ms');
    expect(formatSpan(0)).toBe('0 ms');
  });
});
