import { type Dispatcher, request } from 'undici';
import { alertDedupeKey, type BudgetAlert, type BudgetAlertSink } from './budget-alert.js';
import { budgetName, formatUsd } from './budget-rule.js';
import type { BudgetStore } from './budget-store.js';
import { publishAlertSent } from '../telemetry/alert-events.js';

/** The JSON body of one alert POST. */
export interface BudgetThresholdPayload {
  type: 'budget_threshold';
  scope: string;
  budget: string;
  threshold: number;
  spentNanos: number;
  limitNanos: number;
  period: BudgetAlert['period'];
  periodId: string;
  hard: boolean;
  /** ISO 8601 time the threshold was seen crossed. */
  at: string;
  /** One readable line, so chat webhooks (Slack, Teams) show something useful as is. */
  text: string;
}

/** Any fetch-shaped function (globalThis.fetch fits); only the status is read. */
export type WebhookFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number }>;

/** Who decides that an alert was already sent: a budget store shares it across instances. */
export type AlertDedupe = Pick<BudgetStore, 'claimOnce' | 'releaseClaim'>;

export interface WebhookAlerterOptions {
  url: string;
  headers?: Record<string, string>;
  /** Attempts after the first. */
  retries?: number;
  /** Wait before the first retry; doubles on each one after. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Shared de-duplication (pass the Redis budget store for several instances); per process otherwise. */
  dedupe?: AlertDedupe;
  fetch?: WebhookFetch;
  /** undici dispatcher for the default transport (proxy, custom TLS, tests). */
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told about an alert given up on; alerts never throw into the request path. */
  onGiveUp?: (alert: BudgetAlert, reason: string) => void;
}

export interface WebhookAlerter extends BudgetAlertSink {
  /** Resolves true when this call delivered the alert, false when it was a duplicate or given up on. */
  notify(alert: BudgetAlert): Promise<boolean>;
  /** Any other alert: posted with the same retries, once per `dedupeKey` until `untilMs`. */
  send(payload: object, dedupeKey: string, untilMs: number): Promise<boolean>;
}

export function budgetThresholdPayload(alert: BudgetAlert): BudgetThresholdPayload {
  const name = budgetName(alert.scopeId, alert.period);
  return {
    type: 'budget_threshold',
    scope: alert.scopeId,
    budget: name,
    threshold: alert.threshold,
    spentNanos: alert.spentNanos,
    limitNanos: alert.limitNanos,
    period: alert.period,
    periodId: alert.periodId,
    hard: alert.hard,
    at: new Date(alert.at).toISOString(),
    text: `Budget '${name}' reached ${alert.threshold}% in ${alert.periodId}: ${formatUsd(alert.spentNanos)} of ${formatUsd(alert.limitNanos)}.`,
  };
}

/** The JSON body of an overshoot alert: a provider billed a call above its budget hold. */
export interface BudgetOvershootPayload {
  type: 'budget_overshoot';
  requestId: string;
  model: string;
  provider: string;
  /** What was held for the call (its worst case) and what the provider billed, in nano-dollars. */
  heldNanos: number;
  billedNanos: number;
  overshootNanos: number;
  /** The budgets the request counts against, as "team:growth (month)". */
  budgets: string[];
  at: string;
  text: string;
}

export function budgetOvershootPayload(input: { requestId: string; model: string; provider: string; boundNanos: number; actualNanos: number; budgets: string[]; at: number }): BudgetOvershootPayload {
  const overshootNanos = input.actualNanos - input.boundNanos;
  return {
    type: 'budget_overshoot',
    requestId: input.requestId,
    model: input.model,
    provider: input.provider,
    heldNanos: input.boundNanos,
    billedNanos: input.actualNanos,
    overshootNanos,
    budgets: input.budgets,
    at: new Date(input.at).toISOString(),
    text: `Provider '${input.provider}' billed ${formatUsd(input.actualNanos)} for a call to '${input.model}' held at ${formatUsd(input.boundNanos)} (${formatUsd(overshootNanos)} over; request ${input.requestId}). Counted against ${input.budgets.join(', ') || 'no budget'}.`,
  };
}

/** 408, 429 and 5xx may pass on another try; any other 4xx will not. */
function worthRetrying(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const DAY_MS = 86_400_000;

type AlertSentPayload = Parameters<typeof publishAlertSent>[0]['payload'];

/**
 * Budget alerts as JSON POSTs, retried with exponential backoff, sent once per scope, period and threshold.
 *
 * @example
 * const alerts = createWebhookAlerter({ url: 'https://hooks.example.com/frugal', dedupe: redisBudgetStore });
 * const guard = createBudgetGuard({ store: redisBudgetStore, budgets, alerts });
 */
export function createWebhookAlerter(options: WebhookAlerterOptions): WebhookAlerter {
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const headers = { 'content-type': 'application/json', ...options.headers };
  const dedupe = options.dedupe ?? createProcessDedupe(now);

  const post: WebhookFetch =
    options.fetch ??
    (async (url, init) => {
      const response = await request(url, { ...init, dispatcher: options.dispatcher });
      await response.body.dump();
      return { status: response.statusCode };
    });

  async function deliver(body: string): Promise<string | undefined> {
    let reason = 'no attempt made';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
      try {
        const { status } = await post(options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        if (status >= 200 && status < 300) return undefined;
        reason = `HTTP ${status}`;
        if (!worthRetrying(status)) return reason;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
    }
    return reason;
  }

  return {
    async send(payload, dedupeKey, untilMs) {
      if (!(await dedupe.claimOnce(dedupeKey, untilMs).catch(() => false))) return false;
      const failure = await deliver(JSON.stringify(payload));
      if (failure === undefined) {
        publishAlertSent({ payload: payload as AlertSentPayload, sentAt: now() });
        return true;
      }
      await dedupe.releaseClaim(dedupeKey).catch(() => undefined);
      return false;
    },
    async notify(alert) {
      const key = alertDedupeKey(alert);
      try {
        // Claimed until a day after the period ends: by then no instance can cross that threshold again.
        if (!(await dedupe.claimOnce(key, alert.periodEndMs + DAY_MS))) return false;
      } catch (error) {
        options.onGiveUp?.(alert, `dedupe unavailable: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      }
      const payload = budgetThresholdPayload(alert);
      const failure = await deliver(JSON.stringify(payload));
      if (failure === undefined) {
        // Told to the dashboard's "alerts sent" list (and any other subscriber) only once delivered.
        publishAlertSent({ payload: { ...payload }, sentAt: now() });
        return true;
      }
      // Give the claim back so a later sighting (another instance, a rejected call) may try again.
      await dedupe.releaseClaim(key).catch(() => undefined);
      options.onGiveUp?.(alert, failure);
      return false;
    },
  };
}

function createProcessDedupe(now: () => number): AlertDedupe {
  const claims = new Map<string, number>();
  return {
    async claimOnce(key, untilMs) {
      const at = now();
      for (const [other, until] of claims) if (until <= at) claims.delete(other);
      if (claims.has(key)) return false;
      claims.set(key, untilMs);
      return true;
    },
    async releaseClaim(key) {
      claims.delete(key);
    },
  };
}
