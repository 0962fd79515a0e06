import { LRUCache } from 'lru-cache';
import type { GatewayConfig } from '../config/gateway-config.js';
import { budgetLimitNanos } from '../keys/virtual-key.js';
import type { CallerKey } from '../request/request-context.js';
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import { createRedisRateLimiter } from '../rate-limit/redis-rate-limiter.js';
import { createBudgetGuard, type BudgetGuard } from './budget-guard.js';
import type { BudgetRule } from './budget-rule.js';
import type { BudgetStore } from './budget-store.js';
import { createMemoryBudgetStore, type MemoryBudgetStoreOptions } from './memory-budget-store.js';
import { createRedisBudgetStore } from './redis-budget-store.js';
import { createWebhookAlerter, type WebhookAlerter } from './webhook-alerts.js';

export interface SpendControl {
  store: BudgetStore;
  /** The webhook, when `alerts.webhook_url` is set. */
  alerts: WebhookAlerter | undefined;
  guard: BudgetGuard;
  /** The configured budgets plus the key's own, as one guard (so shared counters count once); undefined without one. */
  keyGuard: (key: CallerKey) => BudgetGuard | undefined;
  limiter: RateLimiter;
  close(): Promise<void>;
}

/** Where the counters live: what a config reload shares instead of rebuilding, so spend and rate state survive it. */
export interface SpendBackend {
  store: BudgetStore;
  limiter: RateLimiter;
  close(): Promise<void>;
}

/**
 * Budget counters and rate-limit state: in memory (embedded default) or in Redis, shared by every instance. In
 * memory, `spentBefore` (ledger-spend-seed.ts) starts each budget's counter at what the ledger already holds for
 * its period, so a restart does not hand every budget a fresh allowance.
 */
export function openSpendBackend(config: GatewayConfig, { spentBefore }: Pick<MemoryBudgetStoreOptions, 'spentBefore'> = {}): SpendBackend {
  const { backend, redisUrl, keyPrefix } = config.spendControl;
  const redis = backend === 'redis';
  const store: BudgetStore = redis ? createRedisBudgetStore({ url: redisUrl, keyPrefix: `${keyPrefix}{budget}:` }) : createMemoryBudgetStore({ spentBefore });
  const limiter = redis ? createRedisRateLimiter({ url: redisUrl, keyPrefix: `${keyPrefix}rate:` }) : createMemoryRateLimiter();
  return {
    store,
    limiter,
    async close() {
      await Promise.all([store.close(), limiter.close()]);
    },
  };
}

/**
 * The configured budgets and limits over a backend: a given `backend` is shared (and left open by `close`),
 * without one the spend control opens and owns its own.
 */
export function openSpendControl(config: GatewayConfig, backend?: SpendBackend): SpendControl {
  const settings = config.spendControl;
  const owned = backend ?? openSpendBackend(config);
  const { store, limiter } = owned;
  const alerts = settings.webhook ? createWebhookAlerter({ url: settings.webhook.url, headers: settings.webhook.headers, dedupe: store }) : undefined;
  const rules: BudgetRule[] = settings.budgets.map((budget) => ({
    scope: budget.scope,
    limitNanos: budget.limitNanos,
    period: budget.period,
    hard: budget.hard,
    timeZone: budget.timeZone,
    thresholds: budget.thresholds,
    downgradeTo: budget.downgradeTo,
  }));
  const guard = createBudgetGuard({ store, budgets: rules, alerts });
  // A key's own budget is a guard with one rule; keys change rarely, so guards are kept by key and budget.
  const keyGuards = new LRUCache<string, BudgetGuard>({ max: 10_000 });
  return {
    store,
    alerts,
    guard,
    limiter,
    keyGuard(key) {
      if (!key.budget) return undefined;
      const id = `${key.id}|${key.budget.limitUsd}|${key.budget.period}|${key.budget.hard}`;
      let keyGuard = keyGuards.get(id);
      if (!keyGuard) {
        const limitNanos = budgetLimitNanos(key.budget);
        // One guard with the configured rules too: a `key:*` rule over the same period counts the same counter, and
        // two guards would each hold and settle every call on it (spend counted twice, the key refused at half).
        keyGuard = createBudgetGuard({ store, budgets: [...rules, { scope: `key:${key.id}`, limitNanos, period: key.budget.period, hard: key.budget.hard }], alerts });
        keyGuards.set(id, keyGuard);
      }
      return keyGuard;
    },
    async close() {
      if (!backend) await owned.close();
    },
  };
}
