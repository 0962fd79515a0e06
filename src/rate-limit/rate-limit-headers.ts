/** What one of a key's limits (requests or tokens per minute) looked like right after this request's take. */
export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** Until the limit is whole again. */
  resetAfterMs: number;
}

/**
 * OpenAI's `x-ratelimit-*` response headers: `limit`, `remaining` and `reset` for `requests` and `tokens`. `reset` is
 * a Go-style duration ("20ms", "1s", "6m0s", "1m26.4s"), the time until the limit is whole again, as OpenAI sends it
 * (clients such as LiteLLM and the openai cookbook's throttlers parse exactly that format).
 *
 * @example
 * rateLimitHeaders({ requests: { limit: 600, remaining: 599, resetAfterMs: 100 } })
 * // { 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '599', 'x-ratelimit-reset-requests': '100ms' }
 */
export function rateLimitHeaders(limits: { requests?: RateLimitSnapshot; tokens?: RateLimitSnapshot }): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const snapshot = limits[kind];
    if (snapshot === undefined) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(snapshot.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, Math.min(snapshot.limit, snapshot.remaining)));
    headers[`x-ratelimit-reset-${kind}`] = formatGoDuration(snapshot.resetAfterMs);
  }
  return headers;
}

/** Milliseconds as Go's time.Duration prints them, to the millisecond: "0s", "17ms", "1s", "8.64s", "6m0s", "1h2m3s". */
export function formatGoDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const fraction = millis % 1000;
  const seconds = fraction === 0 ? `${whole}s` : `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
