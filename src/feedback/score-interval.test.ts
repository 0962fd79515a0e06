import { describe, expect, it } from 'vitest';
import { addScoreSums, summarizeScores, tInterval, tQuantile975, wilsonInterval } from './score-interval.js';

/** ln Γ(x) by Lanczos (g = 7, n = 9): good to ~1e-15, enough to check quantiles to 1e-6. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i += 1) sum += c[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(−q < T < q) for Student's t with ν degrees of freedom, by Simpson's rule on the density. */
function centralMass(q: number, df: number): number {
  const scale = Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2)) / Math.sqrt(df * Math.PI);
  const density = (x: number) => scale * (1 + (x * x) / df) ** (-(df + 1) / 2);
  const steps = 20_000;
  const h = q / steps;
  let sum = density(0) + density(q);
  for (let i = 1; i < steps; i += 1) sum += density(i * h) * (i % 2 === 0 ? 2 : 4);
  return (2 * sum * h) / 3;
}

const scoresOf = (scores: number[]) => ({
  scored: scores.length,
  sum: scores.reduce((a, b) => a + b, 0),
  sumOfSquares: scores.reduce((a, b) => a + b * b, 0),
  binary: scores.filter((score) => score === 0 || score === 1).length,
  ones: scores.filter((score) => score === 1).length,
});

describe('tQuantile975', () => {
  it('leaves 95 % of the t distribution between ±q, from the table and past it', () => {
    for (const df of [1, 2, 3, 5, 10, 29, 30, 31, 40, 60, 120, 500]) {
      expect(centralMass(tQuantile975(df), df)).toBeCloseTo(0.95, 5);
    }
  });

  it('tends to the normal 1.96 and refuses a non-integer degree of freedom', () => {
    expect(tQuantile975(100_000)).toBeCloseTo(1.95998, 4);
    expect(() => tQuantile975(0)).toThrow(RangeError);
    expect(() => tQuantile975(2.5)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  it('gives the textbook interval for 8 of 10', () => {
    const [low, high] = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 4);
    expect(high).toBeCloseTo(0.9433, 4);
  });

  it('keeps a width at 0 of n and n of n, inside [0, 1] (where the Wald interval collapses)', () => {
    const [low0, high0] = wilsonInterval(0, 20);
    expect(low0).toBe(0);
    expect(high0).toBeCloseTo(0.1611, 4);
    const [low1, high1] = wilsonInterval(20, 20);
    expect(low1).toBeCloseTo(0.8389, 4);
    expect(high1).toBeCloseTo(1, 12);
  });
});

describe('tInterval', () => {
  it('is mean ± t(0.975, n−1)·s/√n, clipped to [0, 1]', () => {
    // 0.2 … 1.0: mean 0.6, s² = 0.1, t(4) = 2.776445 → half width 0.392648.
    const [low, high] = tInterval(5, 0.6, 0.1);
    expect(low).toBeCloseTo(0.2073514, 7);
    expect(high).toBeCloseTo(0.9926486, 7);
    expect(tInterval(2, 0.95, 0.02)).toEqual([expect.closeTo(0, 12), 1]);
  });
});

describe('summarizeScores', () => {
  it('uses Wilson when every score is a thumb, t otherwise, and nothing for an empty group', () => {
    const thumbs = summarizeScores(scoresOf([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]));
    expect(thumbs).toMatchObject({ scored: 10, mean: 0.8, method: 'wilson' });
    expect(thumbs.low).toBeCloseTo(0.4902, 4);
    const graded = summarizeScores(scoresOf([0.2, 0.4, 0.6, 0.8, 1]));
    expect(graded).toMatchObject({ scored: 5, method: 't' });
    expect(graded.mean).toBeCloseTo(0.6, 12);
    expect(graded.low).toBeCloseTo(0.2073514, 7);
    expect(summarizeScores(scoresOf([]))).toEqual({ scored: 0, mean: null, low: null, high: null, method: null });
  });

  it('gives one graded score a mean but no interval, and equal scores a zero-width one', () => {
    expect(summarizeScores(scoresOf([0.7]))).toEqual({ scored: 1, mean: 0.7, low: null, high: null, method: null });
    const same = summarizeScores(scoresOf([0.3, 0.3, 0.3]));
    expect(same.low).toBeCloseTo(0.3, 9);
    expect(same.high).toBeCloseTo(0.3, 9);
  });

  it('adds groups into the same statistics as the pooled scores', () => {
    const pooled = addScoreSums([scoresOf([1, 0, 1]), scoresOf([0.5, 1])]);
    expect(pooled).toEqual({ ...scoresOf([1, 0, 1, 0.5, 1]), sum: 3.5 });
    expect(summarizeScores(pooled).method).toBe('t');
  });
});
