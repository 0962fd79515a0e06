export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array; `fraction` in (0, 1]. */
export function percentileOf(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50/p99/mean of latency samples (ms). */
export function summarizeSamples(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return { count: sorted.length, p50: percentileOf(sorted, 0.5), p99: percentileOf(sorted, 0.99), mean: sorted.length ? total / sorted.length : Number.NaN };
}
