import type { RateLimiter } from '../rate-limit/rate-limiter.js';

/** A deployment's configured limits (loadbalance `deployments[].rpm/tpm`), per minute. */
export interface DeploymentLimits {
  rpm: number | undefined;
  tpm: number | undefined;
}

export type ShareVerdict =
  | {
      granted: true;
      /** Once the call reported its usage: corrects the token buckets from the estimate to what was used. */
      settle(actualTokens: number | undefined): Promise<void>;
    }
  | {
      granted: false;
      retryAfterMs: number;
      /** The request alone is above the background share of a limit: no wait will let it through. */
      exceedsShare: boolean;
      /** Which limit refused: the background share, or the deployment's whole limit (real-time traffic is using it). */
      refusedBy: 'share' | 'deployment';
    };

export interface BackgroundShare {
  /** `tokens` is asked for only when the deployment has a TPM limit (counting a prompt is not free). */
  take(deployment: string, tokens: () => number): Promise<ShareVerdict>;
}

export interface BackgroundShareOptions {
  limiter: RateLimiter;
  /** Parts per million of each limit background work may use. */
  sharePpm: number;
  limitsOf(deployment: string): DeploymentLimits | undefined;
}

const MINUTE_MS = 60_000;
const GRANTED_FREE: ShareVerdict = { granted: true, settle: async () => {} };

interface Bucket {
  key: string;
  limit: { limit: number; periodMs: number };
  cost: number;
  tokens: boolean;
  share: boolean;
}

/**
 * Background work's share of each deployment's RPM and TPM. A background call takes from two buckets per limit:
 * its own (`lane:rpm:deployment:<key>`, the share) and the deployment's whole limit (`rpm:deployment:<key>`, the
 * same bucket loadbalance routes charge real-time calls to). So background never uses more than its share, and
 * when real-time traffic has used the whole limit, background is refused and waits (it yields); real-time calls
 * never wait for it. The limiter is the gateway's: with `spend_control.backend: redis`, shared by every instance.
 *
 * @example
 * const share = createBackgroundShare({ limiter, sharePpm: 300_000, limitsOf: (key) => limits.get(key) });
 * const verdict = await share.take('openai/gpt-4o-mini', 1_200);
 */
export function createBackgroundShare(options: BackgroundShareOptions): BackgroundShare {
  const shareOf = (limit: number) => Math.max(1, Math.floor((limit * options.sharePpm) / 1_000_000));
  return {
    async take(deployment, tokens) {
      const limits = options.limitsOf(deployment);
      if (limits === undefined || (limits.rpm === undefined && limits.tpm === undefined)) return GRANTED_FREE;
      const buckets: Bucket[] = [];
      if (limits.rpm !== undefined) {
        buckets.push({ key: `lane:rpm:deployment:${deployment}`, limit: { limit: shareOf(limits.rpm), periodMs: MINUTE_MS }, cost: 1, tokens: false, share: true });
        buckets.push({ key: `rpm:deployment:${deployment}`, limit: { limit: limits.rpm, periodMs: MINUTE_MS }, cost: 1, tokens: false, share: false });
      }
      const cost = limits.tpm === undefined ? 0 : tokens();
      if (limits.tpm !== undefined && cost > 0) {
        buckets.push({ key: `lane:tpm:deployment:${deployment}`, limit: { limit: shareOf(limits.tpm), periodMs: MINUTE_MS }, cost, tokens: true, share: true });
        buckets.push({ key: `tpm:deployment:${deployment}`, limit: { limit: limits.tpm, periodMs: MINUTE_MS }, cost, tokens: true, share: false });
      }
      const taken: Bucket[] = [];
      for (const bucket of buckets) {
        const result = await options.limiter.take(bucket.key, bucket.limit, bucket.cost);
        if (!result.allowed) {
          // All or nothing: what this call took from the earlier buckets goes back.
          for (const back of taken) await options.limiter.adjust(back.key, back.limit, -back.cost);
          return { granted: false, retryAfterMs: result.retryAfterMs, exceedsShare: result.exceedsLimit, refusedBy: bucket.share ? 'share' : 'deployment' };
        }
        taken.push(bucket);
      }
      return {
        granted: true,
        async settle(actualTokens) {
          if (actualTokens === undefined) return;
          for (const bucket of taken) if (bucket.tokens && actualTokens !== bucket.cost) await options.limiter.adjust(bucket.key, bucket.limit, actualTokens - bucket.cost);
        },
      };
    },
  };
}
