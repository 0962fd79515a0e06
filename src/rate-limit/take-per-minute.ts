import type { RateLimitSnapshot } from './rate-limit-headers.js';
import type { RateLimit, RateLimiter } from './rate-limiter.js';

const MINUTE_MS = 60_000;

/** A request's per-minute buckets: its requests and, when limited, its tokens (bucket name and limit of each). */
export interface PerMinuteLimits {
  rpm?: { bucket: string; limit: number };
  tpm?: { bucket: string; limit: number };
}

/** Tokens to take: the estimate (prompt plus max_tokens, or a default), and the least the request can need. */
export interface TokenNeed {
  estimate: number;
  /** Above the whole TPM limit, the request can never pass. Undefined: not known. */
  required?: number;
}

export type PerMinuteTake =
  | {
      allowed: true;
      requests: RateLimitSnapshot | undefined;
      tokens: RateLimitSnapshot | undefined;
      /** The tokens taken up front (0 without a TPM limit). */
      takenTokens: number;
      /** Gives back, or charges, tokens once the call reported what it really used (`used` − what was taken). */
      correct: (usedTokens: number) => Promise<void>;
    }
  /** `retryAfterMs` undefined: no wait lets it through (it needs more than the whole TPM limit). */
  | { allowed: false; limit: 'rpm' | 'tpm'; retryAfterMs: number | undefined; requests: RateLimitSnapshot | undefined };

/**
 * Takes one request and the estimated tokens from a caller's (or a deployment's) per-minute buckets, in that order;
 * a refused token take gives its request back. The estimate takes at most the whole TPM limit (a default max_tokens
 * the caller never asked for must not make it impossible), and `correct` settles the difference later: reserve,
 * then correct. The one sequence behind a key's limits (budget/request-spend.ts), a deployment's
 * (routing/strategies/deployment-limit.ts) and a key's count_tokens requests.
 *
 * @example
 * const taken = await takePerMinute(limiter, { rpm: { bucket: 'rpm:key:k1', limit: 60 } }, () => ({ estimate: 0 }));
 */
export async function takePerMinute(limiter: RateLimiter, limits: PerMinuteLimits, need: () => TokenNeed): Promise<PerMinuteTake> {
  const rpm: RateLimit | undefined = limits.rpm && { limit: limits.rpm.limit, periodMs: MINUTE_MS };
  let requests: RateLimitSnapshot | undefined;
  if (rpm && limits.rpm) {
    const result = await limiter.take(limits.rpm.bucket, rpm);
    if (!result.allowed) return { allowed: false, limit: 'rpm', retryAfterMs: result.retryAfterMs, requests: undefined };
    requests = { limit: rpm.limit, remaining: result.remaining, resetAfterMs: result.resetAfterMs };
  }
  const giveRequestBack = async () => {
    if (rpm && limits.rpm) await limiter.adjust(limits.rpm.bucket, rpm, -1);
  };
  if (!limits.tpm) return { allowed: true, requests, tokens: undefined, takenTokens: 0, correct: async () => {} };
  const { bucket } = limits.tpm;
  const tpm: RateLimit = { limit: limits.tpm.limit, periodMs: MINUTE_MS };
  const { estimate, required } = need();
  if (required !== undefined && required > tpm.limit) {
    await giveRequestBack();
    return { allowed: false, limit: 'tpm', retryAfterMs: undefined, requests };
  }
  const taken = Math.min(estimate, tpm.limit);
  const result = await limiter.take(bucket, tpm, taken);
  if (!result.allowed) {
    await giveRequestBack();
    return { allowed: false, limit: 'tpm', retryAfterMs: result.exceedsLimit ? undefined : result.retryAfterMs, requests };
  }
  return {
    allowed: true,
    requests,
    tokens: { limit: tpm.limit, remaining: result.remaining, resetAfterMs: result.resetAfterMs },
    takenTokens: taken,
    correct: async (usedTokens) => {
      if (usedTokens !== taken) await limiter.adjust(bucket, tpm, usedTokens - taken);
    },
  };
}
