const SAMPLES = 128;
const EWMA_ALPHA = 0.2;

interface DeploymentStats {
  inFlight: number;
  ewmaMs: number | undefined;
  ttft: Float64Array;
  ttftCount: number;
}

/** Per-deployment in-flight counts, latency EWMA and a ring of recent time-to-first-token samples. */
export class LatencyTracker {
  private readonly stats = new Map<string, DeploymentStats>();

  private of(deployment: string): DeploymentStats {
    let stats = this.stats.get(deployment);
    if (stats === undefined) {
      stats = { inFlight: 0, ewmaMs: undefined, ttft: new Float64Array(SAMPLES), ttftCount: 0 };
      this.stats.set(deployment, stats);
    }
    return stats;
  }

  begin(deployment: string): void {
    this.of(deployment).inFlight += 1;
  }

  end(deployment: string, latencyMs: number | undefined, ttftMs: number | undefined): void {
    const stats = this.of(deployment);
    stats.inFlight = Math.max(0, stats.inFlight - 1);
    if (latencyMs !== undefined) stats.ewmaMs = stats.ewmaMs === undefined ? latencyMs : stats.ewmaMs + EWMA_ALPHA * (latencyMs - stats.ewmaMs);
    if (ttftMs !== undefined) {
      stats.ttft[stats.ttftCount % SAMPLES] = ttftMs;
      stats.ttftCount += 1;
    }
  }

  inFlight(deployment: string): number {
    return this.stats.get(deployment)?.inFlight ?? 0;
  }

  ewmaMs(deployment: string): number | undefined {
    return this.stats.get(deployment)?.ewmaMs;
  }

  /** p95 of recent time-to-first-token samples, once there are at least `minSamples`. */
  ttftP95(deployment: string, minSamples = 20): number | undefined {
    const stats = this.stats.get(deployment);
    if (!stats || stats.ttftCount < minSamples) return undefined;
    const count = Math.min(stats.ttftCount, SAMPLES);
    const sorted = Array.from(stats.ttft.subarray(0, count)).sort((a, b) => a - b);
    return sorted[Math.min(count - 1, Math.floor(count * 0.95))];
  }
}
