import { randomUUID } from 'node:crypto';
import { type Price, priceUsage } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { BudgetAlert, BudgetAlertSink } from './budget-alert.js';
import {
  type BudgetFacts,
  budgetName,
  type BudgetRule,
  compileBudgetRule,
  type CompiledRule,
  formatUsd,
  matchCounters,
  type MatchedCounter,
} from './budget-rule.js';
import type { BudgetRejection, BudgetStore, ScopeUsage } from './budget-store.js';

/**
 * The most a call can cost: every prompt token at the dearest prompt price (a prompt-cache write costs
 * more than plain input) and `maxOutputTokens` at the output price. Rounded like priceUsage, which is
 * monotonic, so the real cost of any usage within these bounds is never above it.
 */
export function estimateWorstCaseNanos(input: { promptTokens: number; maxOutputTokens: number; price: Price }): number {
  const { promptTokens, maxOutputTokens, price } = input;
  if (!Number.isSafeInteger(promptTokens) || promptTokens < 0) throw new RangeError(`promptTokens must be a non-negative integer, got ${promptTokens}.`);
  if (!Number.isSafeInteger(maxOutputTokens) || maxOutputTokens < 0) throw new RangeError(`maxOutputTokens must be a non-negative integer, got ${maxOutputTokens}.`);
  const promptPico = Math.max(price.inputPico, price.cachedInputPico, price.cacheWritePico);
  const usage = { promptTokens, completionTokens: maxOutputTokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: true };
  return priceUsage(usage, { ...price, inputPico: promptPico });
}

export interface BudgetRequest extends BudgetFacts {
  worstCaseNanos: number;
}

/** A soft budget this request counts against, and how full it is counting this call's worst case. */
export interface SoftBudgetStatus {
  scopeId: string;
  budget: string;
  ratio: number;
  downgradeTo: string | undefined;
}

/** The budget side of one request. Settle or release it exactly once; `end` fits a `finally`. */
export interface BudgetReservation {
  readonly id: string;
  /** What is held now: the worst case, plus every extension. */
  readonly heldNanos: number;
  readonly soft: readonly SoftBudgetStatus[];
  /** The budgets this reservation counts against, as "team:growth (month)". */
  readonly budgets: readonly string[];
  /** The route of the first used-up soft budget that names one: where the pipeline may downgrade. */
  readonly downgradeTo: string | undefined;
  /** Holds more (a fallback or escalation to a pricier model), or throws budget_exceeded and holds nothing more. `extend(0)` keeps a long stream's hold alive. */
  extend(additionalNanos: number): Promise<void>;
  /** Holds more even past a hard limit: money a provider already billed beyond the hold must count at once. */
  absorb(additionalNanos: number): Promise<void>;
  /** Records the real cost and frees the rest. Returns the thresholds this spend crossed first; a repeat call changes nothing and returns []. */
  settle(actualNanos: number): Promise<BudgetAlert[]>;
  /** Frees the hold without spending (the call cost nothing). Idempotent. */
  release(): Promise<void>;
  /** settle(actualNanos), or release() when the cost is undefined. */
  end(actualNanos: number | undefined): Promise<BudgetAlert[]>;
}

export interface BudgetGuardOptions {
  store: BudgetStore;
  budgets: readonly BudgetRule[];
  now?: () => number;
  alerts?: BudgetAlertSink;
  /** How long a hold lasts unless settled, released or extended: longer than any call, short enough that a crashed instance's holds come back soon. */
  reservationTtlMs?: number;
  newReservationId?: () => string;
}

export interface BudgetGuard {
  /** Holds the request's worst case on every budget it counts against, or throws budget_exceeded naming the budget. */
  begin(request: BudgetRequest): Promise<BudgetReservation>;
}

const NOTHING_HELD: BudgetReservation = Object.freeze({
  id: 'no-budget',
  heldNanos: 0,
  soft: [],
  budgets: [],
  downgradeTo: undefined,
  extend: async () => {},
  absorb: async () => {},
  settle: async () => [],
  release: async () => {},
  end: async () => [],
});

/**
 * Budgets on the request path: reserve the worst case before a call, settle to the real cost after.
 *
 * @example
 * const guard = createBudgetGuard({ store: createMemoryBudgetStore(), budgets: [{ scope: 'team:*', limitNanos: 50_000_000_000, period: 'month', hard: true }] });
 * const reservation = await guard.begin({ keyId: 'k_1', team: 'growth', tags: {}, worstCaseNanos: 42_000 });
 * let cost: number | undefined;
 * try { cost = (await call()).costNanos; } finally { await reservation.end(cost); }
 */
export function createBudgetGuard(options: BudgetGuardOptions): BudgetGuard {
  const { store, alerts } = options;
  const now = options.now ?? Date.now;
  const ttlMs = options.reservationTtlMs ?? 15 * 60_000;
  const newId = options.newReservationId ?? randomUUID;
  const rules = options.budgets.map((rule, index) => compileBudgetRule(rule, `budgets[${index}]`));

  function notify(alert: BudgetAlert): void {
    // The sink owns delivery and its failures; a budget alert must never fail or slow the request.
    if (alerts) void Promise.resolve().then(() => alerts.notify(alert)).catch(() => undefined);
  }

  function refuse(rejection: BudgetRejection, counters: MatchedCounter[], amountNanos: number): FrugalError {
    const { scope, limitNanos, spentNanos, reservedNanos } = rejection;
    const name = budgetName(scope.id, scope.period);
    if (amountNanos > limitNanos) {
      // No period will ever hold it: a Retry-After at the period's end would have clients wait a day (or a month)
      // to be refused again, and it is no sign that the budget is used up, so no 100% alert either.
      return new FrugalError(
        'budget_exceeded',
        `Budget '${name}' of ${formatUsd(limitNanos)} can never hold this call: it may cost ${formatUsd(amountNanos)}, more than the whole budget. Lower max_tokens (or n), or use a cheaper model.`,
      );
    }
    const exhausted = spentNanos + reservedNanos >= limitNanos;
    const state = exhausted
      ? `is exhausted: spent ${formatUsd(spentNanos)}, reserved ${formatUsd(reservedNanos)}`
      : `has ${formatUsd(limitNanos - spentNanos - reservedNanos)} left (spent ${formatUsd(spentNanos)}, reserved ${formatUsd(reservedNanos)}), less than this call may cost (${formatUsd(amountNanos)})`;
    const counter = counters.find(
      (candidate) =>
        candidate.scope.id === scope.id &&
        candidate.scope.period === scope.period &&
        (candidate.scope.timeZone ?? 'UTC') === (scope.timeZone ?? 'UTC'),
    );
    // A budget turning calls away is the moment its 100% alert matters most, even if spend never lands
    // on the limit exactly; the sink sends it once per period.
    for (const compiled of counter?.rules ?? []) {
      if (!compiled.rule.hard || compiled.rule.limitNanos !== limitNanos || !compiled.thresholds.includes(100)) continue;
      notify({ ...alertBase(compiled, scope.id, rejection.periodId, rejection.periodEndMs, spentNanos), threshold: 100 });
    }
    // Waiting for the next period is the only cure when settled spend alone leaves no room; otherwise
    // holds of calls in flight may come back any moment, so no Retry-After is promised.
    const retryAfterSeconds = spentNanos + amountNanos > limitNanos ? Math.max(1, Math.ceil((rejection.periodEndMs - now()) / 1000)) : undefined;
    return new FrugalError('budget_exceeded', `Budget '${name}' of ${formatUsd(limitNanos)} ${state}.`, { retryAfterSeconds });
  }

  function alertBase(compiled: CompiledRule, scopeId: string, periodId: string, periodEndMs: number, spentNanos: number): Omit<BudgetAlert, 'threshold'> {
    const { rule } = compiled;
    return {
      scopeId,
      budget: budgetName(scopeId, rule.period),
      period: rule.period,
      periodId,
      periodEndMs,
      spentNanos,
      limitNanos: rule.limitNanos,
      hard: rule.hard,
      at: now(),
    };
  }

  /** Thresholds whose level lies in (spent before, spent after]: each is reached by exactly one settle. */
  function crossings(counters: MatchedCounter[], usage: ScopeUsage[], actualNanos: number): BudgetAlert[] {
    const found: BudgetAlert[] = [];
    if (actualNanos === 0) return found;
    counters.forEach((counter, index) => {
      const after = usage[index];
      if (after === undefined) return;
      // BigInt: spend × percent can pass 2^53 for large budgets.
      const before100 = BigInt(after.spentNanos - actualNanos) * 100n;
      const after100 = BigInt(after.spentNanos) * 100n;
      for (const compiled of counter.rules) {
        const limit = BigInt(compiled.rule.limitNanos);
        for (const threshold of compiled.thresholds) {
          const level = limit * BigInt(threshold);
          if (level === 0n || before100 >= level || after100 < level) continue;
          found.push({ ...alertBase(compiled, counter.scope.id, after.periodId, after.periodEndMs, after.spentNanos), threshold });
        }
      }
    });
    return found;
  }

  function softStatus(counters: MatchedCounter[], usage: ScopeUsage[]): SoftBudgetStatus[] {
    const statuses: SoftBudgetStatus[] = [];
    counters.forEach((counter, index) => {
      const { spentNanos, reservedNanos } = usage[index];
      for (const { rule } of counter.rules) {
        if (rule.hard) continue;
        const used = spentNanos + reservedNanos;
        const ratio = rule.limitNanos === 0 ? (used === 0 ? 0 : Number.POSITIVE_INFINITY) : used / rule.limitNanos;
        statuses.push({ scopeId: counter.scope.id, budget: budgetName(counter.scope.id, rule.period), ratio, downgradeTo: rule.downgradeTo });
      }
    });
    return statuses;
  }

  return {
    async begin(request) {
      const counters = matchCounters(rules, request);
      if (counters.length === 0) return NOTHING_HELD;
      const worstCase = request.worstCaseNanos;
      const id = newId();
      const result = await store.reserve(
        counters.map((counter) => counter.scope),
        worstCase,
        id,
        ttlMs,
      );
      if (!result.ok) throw refuse(result, counters, worstCase);
      const soft = softStatus(counters, result.usage);
      let held = worstCase;
      let ending: Promise<BudgetAlert[]> | undefined;

      const finish = (actualNanos: number | undefined): Promise<BudgetAlert[]> => {
        // The first end wins; a second one (a `finally` after an explicit settle) changes nothing.
        if (ending !== undefined) return ending.then(() => []);
        const work =
          actualNanos === undefined
            ? store.release(id).then(() => [])
            : store.settle(id, actualNanos).then((settled) => {
                const found = settled.settled ? crossings(counters, settled.usage, actualNanos) : [];
                for (const alert of found) notify(alert);
                return found;
              });
        // A store failure leaves the reservation open, so the caller may try again (its TTL is the backstop).
        ending = work.catch((error: unknown) => {
          ending = undefined;
          throw error;
        });
        return ending;
      };

      return {
        id,
        get heldNanos() {
          return held;
        },
        soft,
        budgets: counters.map((counter) => budgetName(counter.scope.id, counter.scope.period)),
        downgradeTo: soft.find((status) => status.ratio >= 1 && status.downgradeTo !== undefined)?.downgradeTo,
        async extend(additionalNanos) {
          if (ending !== undefined) throw new FrugalError('internal_error', `Budget reservation '${id}' was already settled or released.`);
          const extended = await store.extend(id, additionalNanos, ttlMs);
          if (!extended.ok) throw refuse(extended, counters, held + additionalNanos);
          held += additionalNanos;
        },
        async absorb(additionalNanos) {
          if (ending !== undefined || additionalNanos === 0) return;
          const absorbed = await store.extend(id, additionalNanos, ttlMs, { force: true });
          if (absorbed.ok) held += additionalNanos;
        },
        settle: (actualNanos) => finish(actualNanos),
        release: () => finish(undefined).then(() => undefined),
        end: finish,
      };
    },
  };
}
