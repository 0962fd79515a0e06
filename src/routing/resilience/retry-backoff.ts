export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `retry` (0-based): exponential backoff with full jitter (AWS's "full jitter":
 * uniform in [0, min(max, base·2^retry)]), never sooner than the upstream's Retry-After.
 * Returns undefined when Retry-After asks for longer than the policy allows: better to fail over than wait.
 * `random` is passed in so tests are exact.
 */
export function retryDelayMs(retry: number, policy: BackoffPolicy, random: () => number, retryAfterSeconds?: number): number | undefined {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterSeconds === undefined) return jittered;
  const floor = Math.ceil(retryAfterSeconds * 1000);
  if (floor > policy.maxMs) return undefined;
  return Math.max(floor, jittered);
}
