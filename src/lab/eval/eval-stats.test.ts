import { describe, expect, it } from 'vitest';
import { summarizeEval, type EvalOutcome } from './eval-stats.js';

const outcome = (rowId: string, candidate: string, score: number | undefined, costNanos: number, latencyMs: number, extra: Partial<EvalOutcome> = {}): EvalOutcome => ({
  rowId, candidate, score, costNanos, latencyMs, answer: 'a', ...extra,
});

describe('summarizeEval', () => {
  // strong: right on all four, 1 000 nano each; cheap: wrong on r2, 10 nano each (one call failed: r4).
  const outcomes = [
    outcome('r1', 'strong', 1, 1000, 100), outcome('r2', 'strong', 1, 1000, 200), outcome('r3', 'strong', 1, 1000, 300), outcome('r4', 'strong', 1, 1001, 400),
    outcome('r1', 'cheap', 1, 10, 10), outcome('r2', 'cheap', 0, 10, 20), outcome('r3', 'cheap', 1, 10, 30),
    { rowId: 'r4', candidate: 'cheap', error: 'HTTP 502', costNanos: 0, latencyMs: 5 },
  ];

  it('gives cost per request and per 1 000 in whole nano-dollars, quality with a Wilson interval, and win/tie/loss against the baseline', () => {
    const summary = summarizeEval(['strong', 'cheap'], 'strong', outcomes);
    const [strong, cheap] = summary.candidates;
    // 4 001 / 4 = 1 000.25 → 1 000; × 1 000 = 1 000 250.
    expect(strong).toMatchObject({ requests: 4, errors: 0, costNanos: 4001, costPerRequestNanos: 1000, costPer1000Nanos: 1_000_250, p50Ms: 200, p95Ms: 400, difference: null, notWorse: true });
    expect(strong.quality).toMatchObject({ scored: 4, mean: 1, method: 'wilson' });
    // The failed call is a request (it was sent) with no score; 30 / 4 = 7.5 → 8 (half up).
    expect(cheap).toMatchObject({ requests: 4, errors: 1, costNanos: 30, costPerRequestNanos: 8, costPer1000Nanos: 7500, wins: 0, ties: 2, losses: 1, p50Ms: 20, p95Ms: 30 });
    expect(cheap.quality.mean).toBeCloseTo(2 / 3, 12);
    // Paired differences 0, −1, 0: mean −1/3, s = 0.57735, t(2) = 4.3027 → half-width 1.4343.
    expect(cheap.difference!.paired).toBe(3);
    expect(cheap.difference!.mean).toBeCloseTo(-1 / 3, 12);
    expect(cheap.difference!.high!).toBeCloseTo(-1 / 3 + 4.30265273 * Math.sqrt(1 / 3) / Math.sqrt(3), 6);
    expect(cheap.notWorse).toBe(true);
    expect(summary.pick).toBe('cheap');
    expect(summary.verdict).toBe('cheap is 99 % cheaper than strong; quality difference −0.33 ± 1.43, not significantly worse after 3 paired prompts');
  });

  it('keeps the baseline when the cheaper candidate is worse beyond the interval', () => {
    const many: EvalOutcome[] = [];
    for (let i = 0; i < 30; i += 1) {
      many.push(outcome(`r${i}`, 'strong', 1, 1000, 1));
      many.push(outcome(`r${i}`, 'cheap', i % 3 === 0 ? 1 : 0, 10, 1));
    }
    const summary = summarizeEval(['strong', 'cheap'], 'strong', many);
    expect(summary.candidates[1].notWorse).toBe(false);
    expect(summary.pick).toBe('strong');
    expect(summary.verdict).toBe('no candidate is cheaper than strong without a quality drop beyond the 95 % interval');
  });

  it('counts calls left out by the budget apart, as neither requests nor errors', () => {
    const summary = summarizeEval(['strong'], 'strong', [outcome('r1', 'strong', 1, 5, 1), { rowId: 'r2', candidate: 'strong', skipped: true, costNanos: 0, latencyMs: 0 }]);
    expect(summary.candidates[0]).toMatchObject({ requests: 1, errors: 0, skipped: 1, costPerRequestNanos: 5 });
  });
});
