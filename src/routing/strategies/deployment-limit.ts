import { FrugalError } from '../../errors/frugal-error.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import { takePerMinute } from '../../rate-limit/take-per-minute.js';
import { currentNeeds, unfitReason } from '../../request/fit-check.js';
import type { CallMeta, ChatOutcome, RequestContext } from '../../request/request-context.js';
import { onStreamEnd } from '../../request/stream-end.js';
import type { RouteNode } from '../route-node.js';
import { deploymentKey } from './model-node.js';

/** The upstream code of a deployment skipped for its own limit; tryInOrder moves on without retrying it. */
export const DEPLOYMENT_LIMIT = 'deployment_limit';

export interface LimitedDeployment {
  node: RouteNode;
  rpm: number | undefined;
  tpm: number | undefined;
}

/**
 * A deployment behind its configured RPM/TPM, taken per attempt, when the attempt is about to be sent. A deployment
 * over a limit is skipped, as LiteLLM's usage-based routing does, never called anyway: the provider would answer 429
 * and the request would have paid the wait. TPM is taken as an estimate (prompt plus max_tokens, or the default
 * max_tokens when the request sets none: the answer is not free) and corrected to the attempt's real usage once it
 * has one; a failed attempt gives its tokens back. `onRefused` hears each refusal's Retry-After (undefined: never).
 */
export function limitedNode(deployment: LimitedDeployment, limiter: RateLimiter, defaultMaxTokens: number, onRefused: (retryAfterMs: number | undefined) => void): RouteNode {
  const { node } = deployment;
  const model = node.models()[0];
  const key = deploymentKey(model);
  const limits = {
    rpm: deployment.rpm === undefined ? undefined : { bucket: `rpm:deployment:${key}`, limit: deployment.rpm },
    tpm: deployment.tpm === undefined ? undefined : { bucket: `tpm:deployment:${key}`, limit: deployment.tpm },
  };
  const refuse = (what: 'rpm' | 'tpm', retryAfterMs: number | undefined) => {
    onRefused(retryAfterMs);
    const seconds = retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(retryAfterMs / 1000));
    return new FrugalError('rate_limit_exceeded', `Deployment '${node.name}' is at its ${what} limit.`, { retryable: true, retryAfterSeconds: seconds, upstreamCode: `${DEPLOYMENT_LIMIT}:${what}` });
  };
  return {
    name: node.name,
    models: () => node.models(),
    async run(context, runtime, attempt) {
      // Unfit or out of rotation: the node says so itself, and nothing is sent, so nothing is taken.
      const unfit = attempt?.fitCheck === true && unfitReason(model, currentNeeds(context)) !== undefined;
      if (unfit || !runtime.breakers.get(key).isAvailable()) return node.run(context, runtime, attempt);
      const taken = await takePerMinute(limiter, limits, () => tokensOf(context, defaultMaxTokens));
      if (!taken.allowed) throw refuse(taken.limit, taken.retryAfterMs);
      // A failed attempt gives its tokens back; one without usage keeps what it took.
      const correct = (meta: CallMeta | undefined) =>
        taken.correct(meta === undefined ? 0 : meta.usage === undefined ? taken.takenTokens : meta.usage.promptTokens + meta.usage.completionTokens).catch(() => undefined);
      let outcome: ChatOutcome;
      try {
        outcome = await node.run(context, runtime, attempt);
      } catch (error) {
        await correct(undefined);
        throw error;
      }
      if (outcome.kind === 'response') {
        await correct(outcome.meta);
        return outcome;
      }
      const { meta } = outcome;
      return { ...outcome, chunks: onStreamEnd(outcome.chunks, () => correct(meta)) };
    },
  };
}

/** Tokens to take (prompt plus the output allowed, or the default) and the least the request can need (its own max_tokens). */
function tokensOf(context: RequestContext, defaultMaxTokens: number): { estimate: number; required: number } {
  const needs = currentNeeds(context);
  const choices = Math.max(1, context.request.n ?? 1);
  return { estimate: needs.promptTokens + (needs.maxOutputTokens || defaultMaxTokens) * choices, required: needs.promptTokens + needs.maxOutputTokens * choices };
}
