import type { SpendControlSettings } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { CallerKey, SpendHold } from '../request/request-context.js';
import { rateLimitHeaders } from '../rate-limit/rate-limit-headers.js';
import { takePerMinute } from '../rate-limit/take-per-minute.js';
import { publishBudgetOvershoot } from '../telemetry/events.js';
import type { BudgetReservation } from './budget-guard.js';
import { formatUsd } from './budget-rule.js';
import type { CostCeiling } from './cost-ceiling.js';
import type { SpendControl } from './open-spend-control.js';
import { createSpendHold, type Overshoot } from './spend-hold.js';
import { budgetOvershootPayload } from './webhook-alerts.js';

const DAY = 86_400_000;

/** What the spend checks need to know about one request, whatever its endpoint (chat, embeddings). */
export interface RequestSpendInput {
  requestId: string;
  key: CallerKey | undefined;
  keyId: string | null;
  /** The request's tags after ownership tags were taken from the key (see requestTags). */
  tags: Readonly<Record<string, string>>;
  /** The model or route the caller asked for, checked against the key's allowed models. */
  model: string;
  ceiling: CostCeiling | undefined;
  /** Tokens the request may use, taken from the key's TPM up front. */
  estimatedTokens: () => number;
  /**
   * The tokens the caller itself asked for (the prompt plus an explicit max_tokens), when known: a request needing
   * more than the key's whole TPM can never pass, and is refused as such. The rest of an estimate (a default
   * max_tokens) is a guess, so it is taken only up to the limit and corrected to real use afterwards.
   */
  requiredTokens?: () => number;
  /** Tokens it did use, once finished (the TPM is corrected to this). */
  usedTokens: () => number;
  /** Its running cost over every attempt; what the budgets settle to. */
  spentNanos: () => number;
  /** Where an overshoot is said out loud (the request's warnings, so the ledger row shows it). */
  warnings: string[];
  /**
   * A line of a batch: not counted against the key's RPM/TPM, which limit real-time traffic (as OpenAI's batch limits
   * are apart from its per-minute ones). A batch's pace is set by the background share of each deployment, and its
   * spend by the budgets, which it counts against as any call does.
   */
  batchLine?: boolean;
}

export interface RequestSpend {
  /** Undefined when no budget and no ceiling apply: nothing to hold, nothing to check per attempt. */
  hold: SpendHold | undefined;
  /** The route of a used-up soft budget that names one. */
  downgradeTo: string | undefined;
  /** Settles every budget to the real cost and corrects the TPM. Call exactly once, whatever happened. */
  finish(): Promise<void>;
  /** OpenAI's `x-ratelimit-*` headers for the key's RPM/TPM after this request's take (empty without a limited key). */
  rateLimitHeaders: Record<string, string>;
}

/**
 * The spend checks every endpoint runs before anything is spent: the key may use this model, its RPM/TPM
 * allow the call, and every budget it counts against is opened (at 0: each attempt then holds its own
 * worst case through the returned hold). Ownership scopes come from the key only: `team` is the key's team.
 */
export async function openRequestSpend(control: SpendControl, settings: SpendControlSettings, input: RequestSpendInput): Promise<RequestSpend> {
  const { key } = input;
  if (key?.allowedModels && !key.allowedModels.includes(input.model)) {
    throw new FrugalError('permission_denied', `This key may not use '${input.model}'. Allowed: ${key.allowedModels.join(', ')}.`, { param: 'model' });
  }
  const rates = key && !input.batchLine ? await takeRateLimits(control, settings, key, input) : { finish: async () => {}, headers: {} };
  const finishRates = rates.finish;
  const facts = { keyId: input.keyId, team: key?.team ?? null, tags: input.tags };
  const reservations: BudgetReservation[] = [];
  const finish = async () => {
    const cost = input.spentNanos();
    await Promise.all(reservations.map((reservation) => reservation.end(cost)));
    await finishRates();
  };
  try {
    // A key with its own budget has a guard holding the configured budgets as well: one reservation, each counter once.
    const guard = (key ? control.keyGuard(key) : undefined) ?? control.guard;
    reservations.push(await guard.begin({ ...facts, worstCaseNanos: 0 }));
  } catch (error) {
    await finish();
    throw error;
  }
  const held = reservations.filter((reservation) => reservation.id !== 'no-budget');
  const downgradeTo = held.find((reservation) => reservation.downgradeTo)?.downgradeTo;
  if (held.length === 0 && input.ceiling === undefined) return { hold: undefined, downgradeTo, finish, rateLimitHeaders: rates.headers };
  const budgets = held.flatMap((reservation) => reservation.budgets);
  const onOvershoot = (overshoot: Overshoot) => reportOvershoot(control, input, budgets, overshoot);
  const hold = createSpendHold({ reservations: held, ceiling: input.ceiling, spentNanos: input.spentNanos, defaultMaxTokens: settings.defaultMaxTokens, onOvershoot });
  return { hold, downgradeTo, finish, rateLimitHeaders: rates.headers };
}

/** Said in the row, counted by a metric, and posted to the webhook; the hold itself absorbs the amount. */
function reportOvershoot(control: SpendControl, input: RequestSpendInput, budgets: string[], overshoot: Overshoot): void {
  const over = overshoot.actualNanos - overshoot.boundNanos;
  input.warnings.push(`provider '${overshoot.provider}' billed ${formatUsd(over)} more than the worst case held for '${overshoot.model}' (${formatUsd(overshoot.boundNanos)}); counted against the budgets at once`);
  publishBudgetOvershoot({ requestId: input.requestId, ...overshoot });
  const alerts = control.alerts;
  if (alerts === undefined) return;
  const at = Date.now();
  const payload = budgetOvershootPayload({ requestId: input.requestId, ...overshoot, budgets, at });
  // One alert per request and model; the webhook's own retries apply, and a failure never reaches the request.
  void alerts.send(payload, `overshoot|${input.requestId}|${overshoot.model}`, at + DAY).catch(() => undefined);
}

interface TakenRates {
  /** Corrects the TPM to the tokens really used. */
  finish: () => Promise<void>;
  headers: Record<string, string>;
}

async function takeRateLimits(control: SpendControl, settings: SpendControlSettings, key: CallerKey, input: RequestSpendInput): Promise<TakenRates> {
  const rpm = key.rateLimits.rpm ?? settings.defaultKeyLimits.rpm;
  const tpm = key.rateLimits.tpm ?? settings.defaultKeyLimits.tpm;
  let required: number | undefined;
  const taken = await takePerMinute(
    control.limiter,
    { rpm: rpm ? { bucket: `rpm:key:${key.id}`, limit: rpm } : undefined, tpm: tpm ? { bucket: `tpm:key:${key.id}`, limit: tpm } : undefined },
    // An estimate above the limit (a default max_tokens the caller never asked for) takes the whole limit, not more.
    () => {
      required = input.requiredTokens?.();
      return { estimate: input.estimatedTokens(), required };
    },
  );
  if (taken.allowed) {
    // Reserve-then-correct: once the call reported its tokens, charge the difference (or give the rest back).
    return { finish: () => taken.correct(input.usedTokens()), headers: rateLimitHeaders({ requests: taken.requests, tokens: taken.tokens }) };
  }
  if (taken.limit === 'rpm') throw keyRateLimited(key, `${rpm} requests per minute`, taken.retryAfterMs!, { requests: { limit: rpm!, remaining: 0, resetAfterMs: taken.retryAfterMs! } });
  if (taken.retryAfterMs === undefined) {
    // No wait would let it through, so not a 429 with a Retry-After: SDKs would sleep and retry for nothing.
    throw new FrugalError(
      'limit_exceeded',
      `This request needs up to ${required} tokens (prompt and max_tokens), more than the whole limit of key '${key.id}' (${tpm} tokens per minute): it can never pass. Lower max_tokens or shorten the prompt.`,
      { param: 'max_tokens' },
    );
  }
  throw keyRateLimited(key, `${tpm} tokens per minute`, taken.retryAfterMs, { requests: taken.requests, tokens: { limit: tpm!, remaining: 0, resetAfterMs: taken.retryAfterMs } });
}

/**
 * A key's 429: Retry-After, and the limits as OpenAI's 429 carries them (the one that refused at 0 remaining, reset
 * when it frees up).
 */
export function keyRateLimited(key: CallerKey, what: string, retryAfterMs: number, limits: Parameters<typeof rateLimitHeaders>[0]): FrugalError {
  return new FrugalError('rate_limit_exceeded', `Rate limit of key '${key.id}' reached: ${what}.`, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), headers: rateLimitHeaders(limits) });
}
