import type { BudgetGuard, BudgetReservation } from '../../budget/budget-guard.js';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import type { ChatChunk } from '../../providers/chat-types.js';
import { requestNeeds } from '../../routing/fit-check.js';
import type { CallerKey, RequestContext } from '../request-context.js';
import type { Stage } from '../stage.js';

export interface SpendControlParts {
  config: GatewayConfig;
  /** Budgets from the config. */
  guard: BudgetGuard;
  /** A key's own budget, when it has one. */
  keyGuard: (key: CallerKey) => BudgetGuard | undefined;
  limiter: RateLimiter;
}

const MINUTE = 60_000;

/**
 * Before anything is spent: the key may use this model, its RPM/TPM allow the call, and every budget it counts
 * against can hold it. Budgets reserve before each upstream attempt (the model that actually serves, fallbacks
 * and escalations included) and settle to the real cost when the request ends — answered, failed, streamed or
 * abandoned — so nothing stays reserved.
 */
export function spendControlStage(parts: SpendControlParts): Stage {
  const { config, guard, keyGuard, limiter } = parts;
  const defaults = config.spendControl.defaultKeyLimits;
  return async (context, next) => {
    const { key } = context;
    if (key?.allowedModels && !key.allowedModels.includes(context.request.model)) {
      throw new FrugalError('permission_denied', `This key may not use '${context.request.model}'. Allowed: ${key.allowedModels.join(', ')}.`, { param: 'model' });
    }
    const finishRates = key ? await takeRateLimits(context, key) : async () => {};

    const facts = { keyId: context.keyId, team: key?.team ?? context.tags.team ?? null, tags: context.tags };
    const reservations: BudgetReservation[] = [];
    const finish = async () => {
      const cost = context.spend.costNanos;
      await Promise.all(reservations.map((reservation) => reservation.end(cost)));
      await finishRates();
    };
    try {
      reservations.push(await guard.begin({ ...facts, worstCaseNanos: 0 }));
      const own = key ? keyGuard(key) : undefined;
      if (own) reservations.push(await own.begin({ ...facts, worstCaseNanos: 0 }));
    } catch (error) {
      await finish();
      throw error;
    }
    const held = reservations.filter((reservation) => reservation.id !== 'no-budget');
    // Nothing to settle or correct afterwards: stay out of the way (no wrapper on every streamed chunk).
    if (held.length === 0 && key === undefined) return next();
    if (held.length > 0) applyBudgetToRequest(context, held, config.spendControl.defaultMaxTokens);

    let outcome;
    try {
      outcome = await next();
    } catch (error) {
      await finish();
      throw error;
    }
    if (outcome.kind === 'response') {
      await finish();
      return outcome;
    }
    const source = outcome.chunks;
    async function* settledWhenDone(): AsyncGenerator<ChatChunk> {
      try {
        yield* source;
      } finally {
        await finish();
      }
    }
    return { ...outcome, chunks: settledWhenDone() };
  };

  async function takeRateLimits(context: RequestContext, key: CallerKey): Promise<() => Promise<void>> {
    const rpm = key.rateLimits.rpm ?? defaults.rpm;
    const tpm = key.rateLimits.tpm ?? defaults.tpm;
    const refuse = (what: string, retryAfterMs: number) =>
      new FrugalError('rate_limit_exceeded', `Rate limit of key '${key.id}' reached: ${what}.`, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
    if (rpm) {
      const result = await limiter.take(`rpm:key:${key.id}`, { limit: rpm, periodMs: MINUTE });
      if (!result.allowed) throw refuse(`${rpm} requests per minute`, result.retryAfterMs);
    }
    if (!tpm) return async () => {};
    context.needs ??= requestNeeds(context.request);
    const estimate = context.needs.promptTokens + (context.needs.maxOutputTokens || config.spendControl.defaultMaxTokens);
    const result = await limiter.take(`tpm:key:${key.id}`, { limit: tpm, periodMs: MINUTE }, estimate);
    if (!result.allowed) {
      if (rpm) await limiter.adjust(`rpm:key:${key.id}`, { limit: rpm, periodMs: MINUTE }, -1);
      throw refuse(`${tpm} tokens per minute`, result.retryAfterMs);
    }
    // Reserve-then-correct: once the call reported its tokens, charge the difference (or give the rest back).
    return () => limiter.adjust(`tpm:key:${key.id}`, { limit: tpm, periodMs: MINUTE }, context.spend.promptTokens + context.spend.completionTokens - estimate);
  }
}

function applyBudgetToRequest(context: RequestContext, held: BudgetReservation[], defaultMaxTokens: number) {
  const downgrade = held.find((reservation) => reservation.downgradeTo)?.downgradeTo;
  if (downgrade && downgrade !== context.request.model) {
    context.warnings.push(`soft budget used up: '${context.request.model}' downgraded to '${downgrade}'`);
    context.request = { ...context.request, model: downgrade };
  }
  // A reservation is only an upper bound if the output is bounded too.
  if (context.request.max_tokens == null && context.request.max_completion_tokens == null) {
    context.request = { ...context.request, max_tokens: defaultMaxTokens };
    context.warnings.push(`max_tokens set to ${defaultMaxTokens} to bound the budget reservation`);
  }
  context.budgetHold = {
    defaultMaxTokens,
    async ensure(totalNanos) {
      for (const reservation of held) {
        if (totalNanos > reservation.heldNanos) await reservation.extend(totalNanos - reservation.heldNanos);
      }
    },
  };
}
