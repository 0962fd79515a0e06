import { describe, expect, it } from 'vitest';
import { expectedRandomScores, oracleScores } from './pair-routers.js';
import { evaluateRouter, summarizePair, sweepThresholds } from './router-eval.js';
import type { PairTable } from './routing-dataset.js';

/**
 * Four prompts, strong model 3/4 right, weak 1/4; a strong call costs 10, a weak one 1.
 *   p0: strong 1, weak 0   (the strong model gains)
 *   p1: strong 1, weak 1
 *   p2: strong 0, weak 0
 *   p3: strong 1, weak 0   (gains)
 */
const table: PairTable = {
  strong: 'big',
  weak: 'small',
  strongQuality: Float64Array.from([1, 1, 0, 1]),
  weakQuality: Float64Array.from([0, 1, 0, 0]),
  strongCost: Float64Array.from([10, 10, 10, 10]),
  weakCost: Float64Array.from([1, 1, 1, 1]),
  costUnit: 'units',
  assumptions: [],
};

describe('summarizePair', () => {
  it('gives both models’ quality and total cost', () => {
    expect(summarizePair(table)).toEqual({ prompts: 4, strongQuality: 0.75, weakQuality: 0.25, strongCost: 40, weakCost: 4 });
  });
});

describe('evaluateRouter on a hand-computed table', () => {
  // Scores send p0, then p1, then p3, then p2 to the strong model.
  const report = evaluateRouter(table, [0.9, 0.8, 0.1, 0.5], 'hand');

  it('traces one point per threshold', () => {
    expect(report.curve).toEqual([
      { threshold: null, strongShare: 0, quality: 0.25, cost: 4, pgr: 0 },
      { threshold: 0.9, strongShare: 0.25, quality: 0.5, cost: 13, pgr: 0.5 },
      { threshold: 0.8, strongShare: 0.5, quality: 0.5, cost: 22, pgr: 0.5 },
      { threshold: 0.5, strongShare: 0.75, quality: 0.75, cost: 31, pgr: 1 },
      { threshold: 0.1, strongShare: 1, quality: 0.75, cost: 40, pgr: 1 },
    ]);
  });

  it('computes APGR as the trapezoid area under PGR', () => {
    // 0.25·(0+0.5)/2 + 0.25·(0.5+0.5)/2 + 0.25·(0.5+1)/2 + 0.25·(1+1)/2 = 0.0625 + 0.125 + 0.1875 + 0.25
    expect(report.apgr).toBeCloseTo(0.625, 12);
  });

  it('computes CPT(50%) and CPT(80%) by interpolating inside the crossing step', () => {
    expect(report.cpt50).toBeCloseTo(0.25, 12);
    // PGR goes 0.5 → 1 between shares 0.5 and 0.75: 0.8 is 60% of the way.
    expect(report.cpt80).toBeCloseTo(0.65, 12);
  });

  it('finds the cheapest point at 95% of strong quality and its cost cut', () => {
    // Target 0.95 · 0.75 = 0.7125, crossed between (0.5, q 0.5, cost 22) and (0.75, q 0.75, cost 31) at 85%.
    expect(report.atTarget?.strongShare).toBeCloseTo(0.7125, 12);
    expect(report.atTarget?.cost).toBeCloseTo(29.65, 10);
    expect(report.atTarget?.costCut).toBeCloseTo(1 - 29.65 / 40, 12);
    // Reaching it for sure means routing p3 (score 0.5) too: the threshold of the step's upper end.
    expect(report.atTarget?.threshold).toBe(0.5);
  });
});

describe('ties and baselines', () => {
  it('treats equal scores as one step whose inside is the random-tie-break expectation', () => {
    const curve = sweepThresholds(table, [1, 1, 0, 0]);
    expect(curve.map((point) => [point.strongShare, point.quality])).toEqual([
      [0, 0.25],
      [0.5, 0.5],
      [1, 0.75],
    ]);
    expect(evaluateRouter(table, [1, 1, 0, 0], 'ties').apgr).toBeCloseTo(0.5, 12);
  });

  it('makes the constant router the expected random router', () => {
    const random = evaluateRouter(table, expectedRandomScores(4), 'random');
    expect(random.apgr).toBeCloseTo(0.5, 12);
    expect(random.cpt50).toBeCloseTo(0.5, 12);
    expect(random.cpt80).toBeCloseTo(0.8, 12);
    // Quality 0.7125 needs PGR 0.925, so 92.5% of calls: 4 + 0.925 · 36 = 37.3.
    expect(random.atTarget?.cost).toBeCloseTo(37.3, 10);
  });

  it('lets the oracle recover the whole gap with the gaining half of the calls', () => {
    const oracle = evaluateRouter(table, oracleScores(table), 'oracle');
    expect(oracle.cpt80).toBeCloseTo(0.4, 12);
    expect(oracle.apgr).toBeCloseTo(0.75, 12);
    // Quality climbs 0.25 → 0.75 while the cost climbs 4 → 22; 0.7125 is 92.5% of that step.
    expect(oracle.atTarget?.cost).toBeCloseTo(4 + 0.925 * 18, 10);
  });

  it('reports an unreachable quality target as null', () => {
    expect(evaluateRouter(table, [4, 3, 2, 1], 'x', { qualityShare: 1.2 }).atTarget).toBeNull();
  });

  it('has no PGR when the two models are equally good', () => {
    const equal = { ...table, weakQuality: table.strongQuality };
    const report = evaluateRouter(equal, [1, 2, 3, 4], 'x');
    expect(Number.isNaN(report.apgr)).toBe(true);
    expect(report.cpt50).toBeNull();
  });

  it('rejects a score vector of the wrong length', () => {
    expect(() => evaluateRouter(table, [1, 2], 'short')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
