import { summarizeScores, tQuantile975, type ScoreSummary } from '../../feedback/score-interval.js';

/** What one candidate did on one prompt. */
export interface EvalOutcome {
  rowId: string;
  candidate: string;
  /** The call failed (upstream error, refused); no answer, no score. */
  error?: string;
  /** Not run: the --max-usd budget had no room left for it. */
  skipped?: boolean;
  answer?: string;
  /** What the call cost (integer nano-dollars), 0 when unknown. */
  costNanos: number;
  latencyMs: number;
  /** In [0, 1]; undefined when no grader could score it. */
  score?: number;
  /** A pairwise judge's verdict against the baseline's answer, when that is how it was graded. */
  versusBaseline?: 'win' | 'tie' | 'loss';
  /** The gateway's x-frugal-request-id: the ledger row of this call. */
  requestId?: string;
}

export interface QualityDifference {
  /** Prompts both the candidate and the baseline have a score on. */
  paired: number;
  mean: number;
  /** 95 % t interval of the mean paired difference; null with fewer than two pairs. */
  low: number | null;
  high: number | null;
}

export interface CandidateSummary {
  candidate: string;
  requests: number;
  errors: number;
  skipped: number;
  costNanos: number;
  /** Rounded half up to whole nano-dollars. */
  costPerRequestNanos: number;
  costPer1000Nanos: number;
  quality: ScoreSummary;
  wins: number;
  ties: number;
  losses: number;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Against the baseline; null for the baseline itself. */
  difference: QualityDifference | null;
  /** Quality not below the baseline's beyond the interval (the upper end of the paired difference ≥ 0). */
  notWorse: boolean;
}

export interface EvalSummary {
  baseline: string;
  prompts: number;
  candidates: CandidateSummary[];
  /** The cheapest candidate that is not worse than the baseline; null when nothing was answered. */
  pick: string | null;
  verdict: string;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** a / b rounded half up, in integers. */
function divideRounded(a: bigint, b: bigint): number {
  return Number((2n * a + b) / (2n * b));
}

export function pairedDifference(candidate: ReadonlyMap<string, number>, baseline: ReadonlyMap<string, number>): QualityDifference {
  const diffs: number[] = [];
  for (const [row, score] of candidate) {
    const base = baseline.get(row);
    if (base !== undefined) diffs.push(score - base);
  }
  const n = diffs.length;
  if (n === 0) return { paired: 0, mean: 0, low: null, high: null };
  const mean = diffs.reduce((sum, d) => sum + d, 0) / n;
  if (n < 2) return { paired: n, mean, low: null, high: null };
  const variance = diffs.reduce((sum, d) => sum + (d - mean) ** 2, 0) / (n - 1);
  const half = tQuantile975(n - 1) * Math.sqrt(variance / n);
  return { paired: n, mean, low: mean - half, high: mean + half };
}

function scoresOf(outcomes: readonly EvalOutcome[]): Map<string, number> {
  const scores = new Map<string, number>();
  for (const outcome of outcomes) if (outcome.score !== undefined) scores.set(outcome.rowId, outcome.score);
  return scores;
}

function summarizeCandidate(candidate: string, outcomes: readonly EvalOutcome[], baselineScores: ReadonlyMap<string, number>, isBaseline: boolean): CandidateSummary {
  const ran = outcomes.filter((outcome) => !outcome.skipped);
  const answered = ran.filter((outcome) => outcome.error === undefined);
  const costNanos = ran.reduce((sum, outcome) => sum + BigInt(outcome.costNanos), 0n);
  const scores = scoresOf(answered);
  const values = [...scores.values()];
  const quality = summarizeScores({
    scored: values.length,
    sum: values.reduce((sum, v) => sum + v, 0),
    sumOfSquares: values.reduce((sum, v) => sum + v * v, 0),
    binary: values.filter((v) => v === 0 || v === 1).length,
    ones: values.filter((v) => v === 1).length,
  });
  let wins = 0;
  let ties = 0;
  let losses = 0;
  if (!isBaseline) {
    for (const outcome of answered) {
      let verdict = outcome.versusBaseline;
      const base = baselineScores.get(outcome.rowId);
      if (verdict === undefined && outcome.score !== undefined && base !== undefined) verdict = outcome.score > base ? 'win' : outcome.score < base ? 'loss' : 'tie';
      if (verdict === 'win') wins += 1;
      else if (verdict === 'tie') ties += 1;
      else if (verdict === 'loss') losses += 1;
    }
  }
  const latencies = answered.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
  const difference = isBaseline ? null : pairedDifference(scores, baselineScores);
  const notWorse = isBaseline ? true : difference!.paired === 0 ? false : difference!.high === null ? difference!.mean >= 0 : difference!.high >= 0;
  return {
    candidate,
    requests: ran.length,
    errors: ran.length - answered.length,
    skipped: outcomes.length - ran.length,
    costNanos: Number(costNanos),
    costPerRequestNanos: ran.length === 0 ? 0 : divideRounded(costNanos, BigInt(ran.length)),
    costPer1000Nanos: ran.length === 0 ? 0 : divideRounded(costNanos * 1000n, BigInt(ran.length)),
    quality,
    wins,
    ties,
    losses,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    difference,
    notWorse,
  };
}

function signed(value: number): string {
  return `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(2)}`;
}

/** The table's rows and the plain sentence under it. */
export function summarizeEval(candidates: readonly string[], baseline: string, outcomes: readonly EvalOutcome[]): EvalSummary {
  const baselineScores = scoresOf(outcomes.filter((outcome) => outcome.candidate === baseline && !outcome.skipped && outcome.error === undefined));
  const summaries = candidates.map((candidate) =>
    summarizeCandidate(
      candidate,
      outcomes.filter((outcome) => outcome.candidate === candidate),
      baselineScores,
      candidate === baseline,
    ),
  );
  const prompts = new Set(outcomes.map((outcome) => outcome.rowId)).size;
  const eligible = summaries.filter((summary) => summary.requests > summary.errors && summary.notWorse);
  // Cheapest first; on a tie in cost, the better quality.
  eligible.sort((a, b) => a.costPerRequestNanos - b.costPerRequestNanos || (b.quality.mean ?? 0) - (a.quality.mean ?? 0));
  const pick = eligible[0]?.candidate ?? null;
  const base = summaries.find((summary) => summary.candidate === baseline);
  let verdict: string;
  if (pick === null || base === undefined) verdict = 'no candidate answered: nothing to compare';
  else if (pick === baseline) verdict = `no candidate is cheaper than ${baseline} without a quality drop beyond the 95 % interval`;
  else {
    const chosen = summaries.find((summary) => summary.candidate === pick)!;
    const cheaper = base.costPerRequestNanos === 0 ? 'n/a' : `${(100 * (1 - chosen.costPerRequestNanos / base.costPerRequestNanos)).toFixed(0)} %`;
    const diff = chosen.difference!;
    const spread = diff.low === null || diff.high === null ? '' : ` ± ${((diff.high - diff.low) / 2).toFixed(2)}`;
    const significant = diff.high !== null && diff.low !== null && diff.low > 0 ? 'better, significant' : 'not significantly worse';
    verdict = `${pick} is ${cheaper} cheaper than ${baseline}; quality difference ${signed(diff.mean)}${spread}, ${significant} after ${diff.paired} paired prompts`;
  }
  return { baseline, prompts, candidates: summaries, pick, verdict };
}
