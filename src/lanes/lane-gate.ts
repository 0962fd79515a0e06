import { setTimeout as sleep } from 'node:timers/promises';
import { priceAt, requestedTier } from '../catalog/price-at.js';
import { priceUsage } from '../catalog/pricing.js';
import type { ModelEntry } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import { currentNeeds } from '../request/fit-check.js';
import { onStreamEnd } from '../request/stream-end.js';
import type { LaneState } from '../request/lane-state.js';
import type { ModelCaller } from '../request/model-caller.js';
import type { CallMeta, ChatOutcome, RequestContext } from '../request/request-context.js';
import { deploymentKey } from '../routing/strategies/model-node.js';
import type { BackgroundShare } from './background-share.js';
import type { LaneScheduler } from './lane-scheduler.js';
import { planPatientCall } from './patient-plan.js';

export interface LaneGateParts {
  scheduler: LaneScheduler;
  share: BackgroundShare;
  now?: () => number;
}

/**
 * Wraps the model caller: a real-time request passes straight through (no queue, no wait, no extra await); a
 * background request's every upstream attempt is planned at its cheapest (flex, or an off-peak window before its
 * deadline), held in the lane's queue until then, run within the lane's concurrency and its share of the
 * deployment's RPM/TPM, and priced: the tier it was billed at and what that saved against the real-time price
 * land on the context for the ledger row.
 */
export function laneGate(callModel: ModelCaller, parts: LaneGateParts): ModelCaller {
  const now = parts.now ?? (() => Date.now());
  return (context, model, attempt = {}) => {
    const lane = context.lane;
    if (lane === undefined) return callModel(context, model, attempt);
    const requested = requestedTier(context.request);
    // Counting the prompt is the costly part of admitting background work: done only when a choice or a TPM
    // limit needs it, and then once (context.needs).
    const estimate = () => {
      // As the request is now: the spend stage may have given it the default max_tokens since needs were counted.
      const needs = currentNeeds(context);
      return { promptTokens: needs.promptTokens, outputTokens: needs.maxOutputTokens || 0 };
    };
    // The attempt's own signal too: a hedge that lost, or an attempt that timed out, leaves the queue at once (the
    // hedge waits for its loser's bookkeeping).
    const signal = attempt.signal ? AbortSignal.any([context.signal, attempt.signal]) : context.signal;
    const at = now();
    const plan =
      model.price.flex || model.price.offPeak
        ? planPatientCall(model.price, { requested, at, deadlineAt: lane.deadlineAt, ...estimate() })
        : { tier: requested, startAt: at };
    const queuedAt = at;
    return parts.scheduler.run(
      { runAt: plan.startAt, deadlineAt: lane.deadlineAt, signal, onMissedDeadline: () => laneBusy(lane, model) },
      async () => {
        // It may have waited hours for its window: a key revoked (or rotated) meanwhile sends nothing.
        if (context.keyInForce && !(await context.keyInForce())) {
          throw new FrugalError('invalid_api_key', 'The API key was revoked, rotated or expired while this background request waited; it was not sent.');
        }
        const granted = await waitForShare(parts.share, deploymentKey(model), () => {
          const { promptTokens, outputTokens } = estimate();
          return promptTokens + outputTokens;
        }, lane, model, signal, now);
        lane.waitedMs += now() - queuedAt;
        const overrides = plan.tier === 'flex' && requested !== 'flex' ? { ...attempt.overrides, service_tier: 'flex' as const } : attempt.overrides;
        const sentAt = now();
        const outcome = await callModel(context, model, { ...attempt, overrides });
        const account = () => {
          noteCall(context, lane, model, outcome.meta, plan.tier, sentAt);
          return granted.settle(outcome.meta.usage ? outcome.meta.usage.promptTokens + outcome.meta.usage.completionTokens : undefined);
        };
        if (outcome.kind === 'response') {
          await account();
          return outcome;
        }
        // The inner stream has priced itself by the time its end hook runs (tapStream: inner end first).
        return { ...outcome, chunks: onStreamEnd(outcome.chunks, account) };
      },
    ) as Promise<ChatOutcome>;
  };
}

/** The tier the call was billed at, and its saving against the same usage at the request's real-time price. */
function noteCall(context: RequestContext, lane: LaneState, model: ModelEntry, meta: CallMeta, tier: 'standard' | 'flex' | 'batch', sentAt: number) {
  const applied = priceAt(model.price, { tier, at: sentAt }).applied;
  lane.serviceTier = applied === 'standard' ? null : applied;
  context.responseHeaders['x-frugal-service-tier'] = applied;
  if (meta.usage === undefined) return;
  const realtime = priceUsage(meta.usage, priceAt(model.price, { tier: requestedTier(context.request), at: context.startedAt }));
  lane.savedNanos += realtime - meta.costNanos;
}

async function waitForShare(share: BackgroundShare, deployment: string, tokens: () => number, lane: LaneState, model: ModelEntry, signal: AbortSignal, now: () => number) {
  for (;;) {
    const verdict = await share.take(deployment, tokens);
    if (verdict.granted) return verdict;
    if (verdict.exceedsShare) {
      throw new FrugalError('rate_limit_exceeded', `This background request needs more tokens per minute than the background share of '${model.name}' allows; send it without x-frugal-priority: background.`, { retryable: false });
    }
    if (now() + verdict.retryAfterMs > lane.deadlineAt) throw laneBusy(lane, model, verdict.retryAfterMs);
    try {
      await sleep(verdict.retryAfterMs, undefined, { signal });
    } catch {
      throw new FrugalError('upstream_timeout', 'The request was cancelled while waiting for its background share.');
    }
  }
}

/** The background share's 429: only ever answered to background requests, at their deadline. */
function laneBusy(lane: LaneState, model: ModelEntry, retryAfterMs = 1_000): FrugalError {
  return new FrugalError('rate_limit_exceeded', `The background share of '${model.name}' is in use until after this request's deadline (${new Date(lane.deadlineAt).toISOString()}); try again later or with a later x-frugal-deadline.`, {
    retryable: false,
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}
