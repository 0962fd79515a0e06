/**
 * Mean scores with 95 % confidence intervals, from sufficient statistics (count, sum, sum of squares) so the
 * database does the summing. Pure: no I/O, no randomness.
 *
 * Which interval:
 * - thumbs (every score is exactly 0 or 1): the Wilson score interval. The textbook (Wald) interval p ± z·√(p(1−p)/n)
 *   collapses to zero width at 0/n or n/n and leaves [0, 1] near the edges — exactly where a route that is "always
 *   fine" or "broken" sits; Wilson stays inside [0, 1] and keeps close to 95 % coverage down to n ≈ 10
 *   (Brown, Cai & DasGupta 2001, "Interval Estimation for a Binomial Proportion").
 * - any other bounded scores: Student's t interval on the mean, mean ± t(0.975, n−1)·s/√n, clipped to [0, 1]. The
 *   scores are bounded, so the mean is close to normal already at a few dozen; t (not z) keeps small groups honest.
 *   One score gives no spread, so no interval.
 */

/** The 97.5 % point of the standard normal. */
export const Z_95 = 1.959963984540054;

/** t(0.975, ν) for ν = 1…30 (standard tables, 9 digits). */
const T_975 = [
  12.706204736, 4.30265273, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
  2.20098516, 2.17881283, 2.160368656, 2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.10092204, 2.093024054, 2.085963447,
  2.079613845, 2.073873068, 2.06865761, 2.063898562, 2.059538553, 2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
];

/** The 97.5 % point of Student's t with `df` degrees of freedom: the table to 30, then the Cornish–Fisher expansion. */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T_975.length) return T_975[df - 1];
  const z = Z_95;
  const [z3, z5, z7, z9] = [z ** 3, z ** 5, z ** 7, z ** 9];
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}

/** Wilson score interval for `successes` of `n` at 95 %. */
export function wilsonInterval(successes: number, n: number): [number, number] {
  if (n <= 0) throw new RangeError('a Wilson interval needs at least one observation');
  const p = successes / n;
  const z2 = Z_95 * Z_95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z_95 / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Student's t interval for a mean at 95 %, clipped to the scores' range [0, 1]. */
export function tInterval(n: number, mean: number, sampleVariance: number): [number, number] {
  if (n < 2) throw new RangeError('a t interval needs at least two observations');
  const half = tQuantile975(n - 1) * Math.sqrt(sampleVariance / n);
  return [Math.max(0, mean - half), Math.min(1, mean + half)];
}

export type IntervalMethod = 'wilson' | 't';

export interface ScoreSums {
  scored: number;
  sum: number;
  sumOfSquares: number;
  /** How many scores are exactly 0 or 1, and how many exactly 1. */
  binary: number;
  ones: number;
}

export interface ScoreSummary {
  scored: number;
  /** null when nothing is scored. */
  mean: number | null;
  /** The 95 % interval; null when it cannot be computed (nothing scored, or one non-binary score). */
  low: number | null;
  high: number | null;
  method: IntervalMethod | null;
}

/**
 * Mean and 95 % interval of a group's scores.
 *
 * @example
 * summarizeScores({ scored: 10, sum: 8, sumOfSquares: 8, binary: 10, ones: 8 }) // mean 0.8, Wilson [0.490, 0.943]
 */
export function summarizeScores({ scored, sum, sumOfSquares, binary, ones }: ScoreSums): ScoreSummary {
  if (scored === 0) return { scored, mean: null, low: null, high: null, method: null };
  if (binary === scored) {
    const [low, high] = wilsonInterval(ones, scored);
    return { scored, mean: ones / scored, low, high, method: 'wilson' };
  }
  const mean = sum / scored;
  if (scored < 2) return { scored, mean, low: null, high: null, method: null };
  // Σx² − n·mean² leaves rounding noise (even below 0) when every score is equal; scores live in [0, 1], so
  // anything under 1e-12 is that noise, not spread.
  const raw = (sumOfSquares - scored * mean * mean) / (scored - 1);
  const variance = raw < 1e-12 ? 0 : raw;
  const [low, high] = tInterval(scored, mean, variance);
  return { scored, mean, low, high, method: 't' };
}

/** Sums of several groups: the statistics are additive. */
export function addScoreSums(parts: readonly ScoreSums[]): ScoreSums {
  const total: ScoreSums = { scored: 0, sum: 0, sumOfSquares: 0, binary: 0, ones: 0 };
  for (const part of parts) {
    total.scored += part.scored;
    total.sum += part.sum;
    total.sumOfSquares += part.sumOfSquares;
    total.binary += part.binary;
    total.ones += part.ones;
  }
  return total;
}
