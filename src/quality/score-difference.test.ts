import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../routing/seeded-random.js';
import { scoreDifference, sumsOf } from './score-difference.js';

describe('score difference', () => {
  it('computes the Welch interval of two means by hand', () => {
    // a: mean 0.5, b: mean 0.7; the interval checked against the formula written out.
    const a = [0.4, 0.5, 0.6, 0.5];
    const b = [0.6, 0.7, 0.8, 0.7];
    const variance = (xs: number[]) => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    };
    const result = scoreDifference(sumsOf(a), sumsOf(b));
    expect(result.difference).toBeCloseTo(0.2, 12);
    expect(result.halfWidth).toBeCloseTo(1.959963984540054 * Math.sqrt(variance(a) / 4 + variance(b) / 4), 12);
    expect(result.significant).toBe(true);
    expect(result.scored).toBe(8);
  });

  it('treats thumbs as proportions', () => {
    const result = scoreDifference(sumsOf([1, 1, 0, 0]), sumsOf([1, 1, 1, 0]));
    expect(result.difference).toBeCloseTo(0.25, 12);
    expect(result.halfWidth).toBeCloseTo(1.959963984540054 * Math.sqrt(((0.25 * 4) / 3) / 4 + ((0.1875 * 4) / 3) / 4), 12);
    expect(result.significant).toBe(false);
  });

  it('gives no verdict without scores on both sides', () => {
    expect(scoreDifference(sumsOf([]), sumsOf([1]))).toEqual({ difference: null, halfWidth: null, significant: false, scored: 1 });
  });

  it('finds a planted drop of 0.1 and stays quiet on noise (seeded, 400 scores a side)', () => {
    const random = createSeededRandom(42);
    const draw = (mean: number) => Array.from({ length: 400 }, () => Math.min(1, Math.max(0, mean + (random() - 0.5) * 0.6)));
    expect(scoreDifference(sumsOf(draw(0.8)), sumsOf(draw(0.7))).significant).toBe(true);
    let falseAlarms = 0;
    for (let trial = 0; trial < 100; trial += 1) if (scoreDifference(sumsOf(draw(0.8)), sumsOf(draw(0.8))).significant) falseAlarms += 1;
    // 95 % intervals: about 5 false alarms in 100 same-mean comparisons, rarely more than 10.
    expect(falseAlarms).toBeLessThanOrEqual(10);
  });
});
