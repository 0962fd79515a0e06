import { Z_95, type ScoreSums } from '../feedback/score-interval.js';

export interface ScoreDifference {
  /** mean(b) − mean(a); null when either side has nothing scored. */
  difference: number | null;
  /** Half-width of the 95 % interval of the difference; null when it cannot be computed. */
  halfWidth: number | null;
  /** True when the interval leaves out 0: the two means differ beyond chance at 95 %. */
  significant: boolean;
  /** Scored requests on both sides together. */
  scored: number;
}

/** Mean and the variance of one score (the sample variance; p(1−p) for thumbs, whose variance is the mean's). */
function moments(sums: ScoreSums): { mean: number; variance: number } | undefined {
  if (sums.scored === 0) return undefined;
  if (sums.binary === sums.scored) {
    const p = sums.ones / sums.scored;
    return { mean: p, variance: sums.scored < 2 ? 0 : (p * (1 - p) * sums.scored) / (sums.scored - 1) };
  }
  const mean = sums.sum / sums.scored;
  if (sums.scored < 2) return { mean, variance: 0 };
  const raw = (sums.sumOfSquares - sums.scored * mean * mean) / (sums.scored - 1);
  return { mean, variance: raw < 1e-12 ? 0 : raw };
}

/**
 * The difference of two groups' mean scores with its 95 % interval (another level: pass its normal quantile `z`) (Welch: each side keeps its own variance,
 * normal quantile — both sides need a few dozen scores before a verdict means much, which callers enforce).
 * Pure; sums come from the database (feedback, judges, or 0/1 outcomes such as escalations).
 *
 * @example
 * scoreDifference(armA, armB) // { difference: -0.01, halfWidth: 0.03, significant: false, scored: 1240 }
 */
export function scoreDifference(a: ScoreSums, b: ScoreSums, z: number = Z_95): ScoreDifference {
  const scored = a.scored + b.scored;
  const left = moments(a);
  const right = moments(b);
  if (!left || !right) return { difference: null, halfWidth: null, significant: false, scored };
  const difference = right.mean - left.mean;
  if (a.scored < 2 || b.scored < 2) return { difference, halfWidth: null, significant: false, scored };
  const halfWidth = z * Math.sqrt(left.variance / a.scored + right.variance / b.scored);
  // With no spread on either side any difference is exact: significant when it is not zero.
  return { difference, halfWidth, significant: Math.abs(difference) > halfWidth, scored };
}

/** Sums of a list of scores (tests, simulations). */
export function sumsOf(scores: readonly number[]): ScoreSums {
  const sums: ScoreSums = { scored: 0, sum: 0, sumOfSquares: 0, binary: 0, ones: 0 };
  for (const score of scores) {
    sums.scored += 1;
    sums.sum += score;
    sums.sumOfSquares += score * score;
    if (score === 0 || score === 1) sums.binary += 1;
    if (score === 1) sums.ones += 1;
  }
  return sums;
}

/** Normal quantiles of the two-sided confidence levels alerts may use. */
export const Z_OF_CONFIDENCE: Readonly<Record<string, number>> = { '0.9': 1.6448536269514722, '0.95': Z_95, '0.99': 2.5758293035489004, '0.999': 3.2905267314918945 };
