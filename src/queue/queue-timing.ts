/** Timing every backend takes; tests shorten them, production keeps the defaults. */
export interface QueueTiming {
  /**
   * How long a running job belongs to its worker without a renewal. A live worker renews every third of it; a
   * job whose worker died (kill -9) is handed to another after it. pg-boss counts it in whole seconds (at least 1).
   */
  leaseMs?: number;
  /** How often an idle worker looks for jobs enqueued by other instances. */
  pollMs?: number;
  /** Wait before a failed attempt is tried again. */
  retryDelayMs?: number;
  /** How long finished jobs (and so their idempotency keys) are kept. */
  retentionMs?: number;
  onError?: (error: unknown) => void;
}

export const DEFAULT_TIMING = {
  leaseMs: 60_000,
  pollMs: 1_000,
  retryDelayMs: 5_000,
  retentionMs: 7 * 86_400_000,
} as const;

export function resolveTiming(timing: QueueTiming): Required<QueueTiming> {
  return {
    leaseMs: timing.leaseMs ?? DEFAULT_TIMING.leaseMs,
    pollMs: timing.pollMs ?? DEFAULT_TIMING.pollMs,
    retryDelayMs: timing.retryDelayMs ?? DEFAULT_TIMING.retryDelayMs,
    retentionMs: timing.retentionMs ?? DEFAULT_TIMING.retentionMs,
    onError: timing.onError ?? (() => {}),
  };
}
