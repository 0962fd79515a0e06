import { FrugalError } from '../../errors/frugal-error.js';
import type { PairTable } from './routing-dataset.js';

/**
 * RouteLLM-style offline evaluation of a two-model router. A router gives every prompt a score (higher = more
 * likely to need the strong model); sending the top-scored prompts to the strong model, for every threshold,
 * traces the cost–quality curve. Metrics follow RouteLLM (arXiv 2406.18665, `routellm/evals/evaluate.py`):
 *
 * - PGR(x) = (quality(x) − weak) / (strong − weak), the share of the quality gap recovered.
 * - APGR = area under PGR over the strong-call share from 0 to 1. RouteLLM samples 10 quantile thresholds and
 *   integrates with trapezoids; we use every distinct score, so the number is exact rather than binned.
 * - CPT(p) = the smallest strong-call share at which PGR reaches p.
 *
 * Equal scores form one step. Between two steps the curve is a straight line, which is exactly the expected
 * value of breaking the tie at random; a constant-score router is therefore the expected random router.
 */

export interface CurvePoint {
  /** Prompts scoring ≥ threshold go to the strong model; null = none do. */
  threshold: number | null;
  /** Share of prompts sent to the strong model, 0..1. */
  strongShare: number;
  /** Mean quality over all prompts. */
  quality: number;
  /** Total cost, in the table's cost unit. */
  cost: number;
  pgr: number;
}

export interface TargetPoint {
  /** The score threshold of the curve point at or just past the target (a config's routing threshold). */
  threshold: number | null;
  strongShare: number;
  quality: number;
  cost: number;
  /** 1 − cost / cost of always calling the strong model. */
  costCut: number;
}

export interface PairSummary {
  prompts: number;
  strongQuality: number;
  weakQuality: number;
  strongCost: number;
  weakCost: number;
}

export interface RouterReport {
  router: string;
  curve: CurvePoint[];
  apgr: number;
  /** Strong-call share for PGR ≥ 0.5 / 0.8; null when the curve never gets there. */
  cpt50: number | null;
  cpt80: number | null;
  /** The cheapest point of the curve with quality ≥ qualityShare × strong quality; null when unreachable. */
  atTarget: TargetPoint | null;
  qualityShare: number;
}

export function summarizePair(table: PairTable): PairSummary {
  const prompts = table.strongQuality.length;
  let strongQuality = 0;
  let weakQuality = 0;
  let strongCost = 0;
  let weakCost = 0;
  for (let index = 0; index < prompts; index += 1) {
    strongQuality += table.strongQuality[index];
    weakQuality += table.weakQuality[index];
    strongCost += table.strongCost[index];
    weakCost += table.weakCost[index];
  }
  return { prompts, strongQuality: strongQuality / prompts, weakQuality: weakQuality / prompts, strongCost, weakCost };
}

/** The curve, one point per distinct score, from "all weak" (share 0) to "all strong" (share 1). */
export function sweepThresholds(table: PairTable, scores: ArrayLike<number>): CurvePoint[] {
  const prompts = table.strongQuality.length;
  if (scores.length !== prompts) throw new FrugalError('invalid_request', `${scores.length} scores for ${prompts} prompts`);
  if (prompts === 0) throw new FrugalError('invalid_request', 'no prompts to evaluate');
  const summary = summarizePair(table);
  const gap = summary.strongQuality - summary.weakQuality;
  const order = Array.from({ length: prompts }, (_value, index) => index).sort((a, b) => scores[b] - scores[a] || a - b);
  let qualitySum = summary.weakQuality * prompts;
  let cost = summary.weakCost;
  const point = (sent: number, threshold: number | null): CurvePoint => {
    const quality = qualitySum / prompts;
    return { threshold, strongShare: sent / prompts, quality, cost, pgr: gap > 0 ? (quality - summary.weakQuality) / gap : Number.NaN };
  };
  const curve = [point(0, null)];
  let sent = 0;
  while (sent < prompts) {
    const score = scores[order[sent]];
    while (sent < prompts && scores[order[sent]] === score) {
      const index = order[sent];
      qualitySum += table.strongQuality[index] - table.weakQuality[index];
      cost += table.strongCost[index] - table.weakCost[index];
      sent += 1;
    }
    curve.push(point(sent, score));
  }
  return curve;
}

export function areaUnderPgr(curve: readonly CurvePoint[]): number {
  let area = 0;
  for (let index = 1; index < curve.length; index += 1) {
    const width = curve[index].strongShare - curve[index - 1].strongShare;
    area += (width * (curve[index].pgr + curve[index - 1].pgr)) / 2;
  }
  return area;
}

/** CPT(p): the first crossing of PGR = p, interpolated inside the step where it happens. */
export function callShareForPgr(curve: readonly CurvePoint[], target: number): number | null {
  if (curve.length > 0 && curve[0].pgr >= target) return curve[0].strongShare;
  for (let index = 1; index < curve.length; index += 1) {
    const before = curve[index - 1];
    const after = curve[index];
    if (after.pgr >= target) {
      const fraction = (target - before.pgr) / (after.pgr - before.pgr);
      return before.strongShare + fraction * (after.strongShare - before.strongShare);
    }
  }
  return null;
}

/** The cheapest point (vertex or interpolated crossing) whose quality reaches `qualityTarget`. */
export function cheapestAtQuality(curve: readonly CurvePoint[], qualityTarget: number, alwaysStrongCost: number): TargetPoint | null {
  let best: TargetPoint | null = null;
  const consider = (threshold: number | null, strongShare: number, quality: number, cost: number) => {
    if (best === null || cost < best.cost) best = { threshold, strongShare, quality, cost, costCut: 1 - cost / alwaysStrongCost };
  };
  // A tiny tolerance: 0.95 × 0.8 in floating point must not miss a curve point sitting exactly on the target.
  const reaches = (quality: number) => quality >= qualityTarget - 1e-12;
  curve.forEach((point, index) => {
    if (reaches(point.quality)) consider(point.threshold, point.strongShare, point.quality, point.cost);
    const before = curve[index - 1];
    if (index > 0 && !reaches(before.quality) && reaches(point.quality)) {
      const fraction = (qualityTarget - before.quality) / (point.quality - before.quality);
      consider(
        point.threshold,
        before.strongShare + fraction * (point.strongShare - before.strongShare),
        qualityTarget,
        before.cost + fraction * (point.cost - before.cost),
      );
    }
  });
  return best;
}

export interface EvaluateRouterOptions {
  /** Quality to reach, as a share of the strong model's (0.95 = 95% of strong-model quality). */
  qualityShare?: number;
}

/**
 * @example
 * const report = evaluateRouter(pairTable(dataset), dataset.rows.map((row) => score(row.prompt)), 'rules');
 * report.apgr; report.atTarget?.costCut;
 */
export function evaluateRouter(table: PairTable, scores: ArrayLike<number>, router: string, options: EvaluateRouterOptions = {}): RouterReport {
  const qualityShare = options.qualityShare ?? 0.95;
  const summary = summarizePair(table);
  const curve = sweepThresholds(table, scores);
  return {
    router,
    curve,
    apgr: areaUnderPgr(curve),
    cpt50: callShareForPgr(curve, 0.5),
    cpt80: callShareForPgr(curve, 0.8),
    atTarget: cheapestAtQuality(curve, qualityShare * summary.strongQuality, summary.strongCost),
    qualityShare,
  };
}
