import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isFrugalError } from '../errors/frugal-error.js';
import { type BudgetGuard, createBudgetGuard } from './budget-guard.js';
import type { BudgetRule } from './budget-rule.js';
import type { BudgetScope, BudgetStore } from './budget-store.js';
import { createMemoryBudgetStore } from './memory-budget-store.js';
import { createRedisBudgetStore } from './redis-budget-store.js';
import { deleteByPrefix, REDIS_URL, redisReachable } from '../testing/redis-test-support.js';

/**
 * Many concurrent calls from two gateway instances against one small budget, with every way a call can
 * end: success, a pricier fallback, an upstream error, a client abort, and a crash that never ends it.
 */

const RESERVATION_TTL_MS = 4_000;
const TEAM_LIMIT = 300_000;
const KEY_LIMIT = 120_000;
/** One key with a tight budget of its own, so key budgets refuse too, not only the team's. */
const TIGHT_KEY_LIMIT = 30_000;
const KEYS = ['k_0', 'k_1', 'k_2', 'k_3'];
const FEATURES = ['summarize', 'chat'];
const RULES: BudgetRule[] = [
  { scope: 'team:growth', limitNanos: TEAM_LIMIT, period: 'day', hard: true },
  { scope: 'key:*', limitNanos: KEY_LIMIT, period: 'day', hard: true },
  { scope: 'key:k_0', limitNanos: TIGHT_KEY_LIMIT, period: 'day', hard: true },
  { scope: 'tag:feature=*', limitNanos: 100_000, period: 'day', hard: false },
];

/** mulberry32: a seeded PRNG, so the mix of outcomes is the same on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)) };
}

type Outcome = 'ok' | 'fallback' | 'upstream_error' | 'client_abort' | 'crash';

interface Tally {
  settled: Map<string, number>;
  abandoned: Map<string, number>;
  counts: Record<Outcome | 'rejected' | 'extend_refused', number>;
  firstAbandonAt: number;
  lastAbandonAt: number;
}

function add(map: Map<string, number>, scopeIds: string[], nanos: number) {
  for (const id of scopeIds) map.set(id, (map.get(id) ?? 0) + nanos);
}

async function runContention(guards: BudgetGuard[], requests: number): Promise<Tally> {
  const random = seeded(20261123);
  const tally: Tally = {
    settled: new Map(),
    abandoned: new Map(),
    counts: { ok: 0, fallback: 0, upstream_error: 0, client_abort: 0, crash: 0, rejected: 0, extend_refused: 0 },
    firstAbandonAt: Number.POSITIVE_INFINITY,
    lastAbandonAt: 0,
  };
  const plans = Array.from({ length: requests }, (_, index) => {
    const roll = random.next();
    const outcome: Outcome = roll < 0.55 ? 'ok' : roll < 0.67 ? 'fallback' : roll < 0.79 ? 'upstream_error' : roll < 0.9 ? 'client_abort' : 'crash';
    return {
      guard: guards[index % guards.length],
      keyId: KEYS[random.int(0, KEYS.length - 1)],
      feature: FEATURES[random.int(0, FEATURES.length - 1)],
      worstCase: random.int(2_000, 8_000),
      arriveAfterMs: random.int(0, 300),
      delayMs: random.int(5, 40),
      extra: random.int(1_000, 4_000),
      fraction: random.next(),
      outcome,
    };
  });

  await Promise.all(
    plans.map(async (plan) => {
      const scopeIds = ['team:growth', `key:${plan.keyId}`, `tag:feature=${plan.feature}`];
      await new Promise((resolve) => setTimeout(resolve, plan.arriveAfterMs));
      let reservation;
      try {
        reservation = await plan.guard.begin({ keyId: plan.keyId, team: 'growth', tags: { feature: plan.feature }, worstCaseNanos: plan.worstCase });
      } catch (error) {
        if (!isFrugalError(error) || error.code !== 'budget_exceeded') throw error;
        tally.counts.rejected += 1;
        return;
      }
      let cost: number | undefined;
      try {
        await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
        if (plan.outcome === 'crash') {
          // The instance dies mid-call: nothing ever ends this reservation; only its TTL frees it.
          tally.counts.crash += 1;
          add(tally.abandoned, scopeIds, reservation.heldNanos);
          tally.firstAbandonAt = Math.min(tally.firstAbandonAt, Date.now());
          tally.lastAbandonAt = Math.max(tally.lastAbandonAt, Date.now());
          return;
        }
        if (plan.outcome === 'upstream_error') throw new Error('upstream returned 500');
        if (plan.outcome === 'fallback') {
          // The first model failed for free; the fallback is pricier and must be held before it is called.
          try {
            await reservation.extend(plan.extra);
          } catch (error) {
            if (!isFrugalError(error) || error.code !== 'budget_exceeded') throw error;
            tally.counts.extend_refused += 1;
            throw error;
          }
          cost = Math.floor((plan.worstCase + plan.extra) * plan.fraction);
        } else if (plan.outcome === 'client_abort') {
          cost = Math.floor(plan.worstCase * plan.fraction * 0.5); // the tokens streamed before the client left
        } else {
          cost = Math.floor(plan.worstCase * plan.fraction);
        }
        tally.counts[plan.outcome] += 1;
      } catch {
        cost = undefined;
        if (plan.outcome === 'upstream_error') tally.counts.upstream_error += 1;
      } finally {
        if (plan.outcome !== 'crash') {
          await reservation.end(cost);
          // A second end, as a `finally` after an explicit settle would do, must change nothing.
          await reservation.end(cost);
          if (cost !== undefined) add(tally.settled, scopeIds, cost);
        }
      }
    }),
  );
  return tally;
}

const scopeOf = (id: string): BudgetScope => ({
  id,
  limitNanos: id === 'team:growth' ? TEAM_LIMIT : id === 'key:k_0' ? TIGHT_KEY_LIMIT : id.startsWith('key:') ? KEY_LIMIT : 100_000,
  period: 'day',
  hard: !id.startsWith('tag:'),
});
const ALL_SCOPES = ['team:growth', ...KEYS.map((key) => `key:${key}`), ...FEATURES.map((feature) => `tag:feature=${feature}`)];

async function checkOutcome(store: BudgetStore, tally: Tally, waitForTtl: () => Promise<void>) {
  expect(tally.counts.rejected, 'the budget was contended').toBeGreaterThan(0);
  expect(tally.counts.ok).toBeGreaterThan(0);
  expect(tally.counts.crash).toBeGreaterThan(0);
  expect(tally.counts.client_abort + tally.counts.upstream_error + tally.counts.fallback).toBeGreaterThan(0);

  const checkedAt = Date.now();
  for (const id of ALL_SCOPES) {
    const usage = await store.usage(scopeOf(id));
    // Spend is exactly what was settled: nothing lost, nothing counted twice.
    expect(usage.spentNanos, `spent on ${id}`).toBe(tally.settled.get(id) ?? 0);
    if (!id.startsWith('tag:')) expect(usage.spentNanos + usage.reservedNanos, `${id} within its limit`).toBeLessThanOrEqual(scopeOf(id).limitNanos);
    // Only the crashed calls still hold anything: released, settled and refused calls left nothing behind.
    if (checkedAt < tally.firstAbandonAt + RESERVATION_TTL_MS - 500) expect(usage.reservedNanos, `held on ${id}`).toBe(tally.abandoned.get(id) ?? 0);
    else expect(usage.reservedNanos).toBeLessThanOrEqual(tally.abandoned.get(id) ?? 0);
  }

  await waitForTtl();
  for (const id of ALL_SCOPES) {
    const usage = await store.usage(scopeOf(id));
    expect(usage, `${id} after the crashed calls' TTL`).toMatchObject({ spentNanos: tally.settled.get(id) ?? 0, reservedNanos: 0 });
  }
}

describe('budgets under contention: memory store, two guards', () => {
  it('never overspends, counts every settle exactly, and leaks no reservation', async () => {
    let offset = 0;
    const store = createMemoryBudgetStore({ now: () => Date.now() + offset });
    const guards = [createBudgetGuard({ store, budgets: RULES, reservationTtlMs: RESERVATION_TTL_MS }), createBudgetGuard({ store, budgets: RULES, reservationTtlMs: RESERVATION_TTL_MS })];
    const tally = await runContention(guards, 400);
    await checkOutcome(store, tally, async () => {
      offset += RESERVATION_TTL_MS + 1;
    });
  });
});

const reachable = await redisReachable();
if (!reachable && process.env.CI !== 'true') {
  console.warn(`SKIPPED budget contention on Redis: Redis is not reachable at ${REDIS_URL} (it fails instead when CI=true).`);
}

describe('Redis availability', () => {
  it.runIf(process.env.CI === 'true')('reaches the Redis the CI run needs', () => {
    expect(reachable, `Redis is not reachable at ${REDIS_URL}`).toBe(true);
  });
});

describe.skipIf(!reachable)('budgets under contention: two gateway instances sharing Redis', () => {
  it('never overspends, counts every settle exactly, and leaks no reservation', { timeout: 60_000 }, async () => {
    const prefix = `frugal-test:{budget-${randomUUID()}}:`;
    // Two connections, two stores, two guards: two gateway instances.
    const stores = [createRedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix }), createRedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix })];
    const admin = new Redis(REDIS_URL);
    try {
      const guards = stores.map((store) => createBudgetGuard({ store, budgets: RULES, reservationTtlMs: RESERVATION_TTL_MS }));
      const tally = await runContention(guards, 400);
      await checkOutcome(stores[0], tally, async () => {
        const wait = tally.lastAbandonAt + RESERVATION_TTL_MS + 200 - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      });
      // The second instance sees the same counters.
      expect(await stores[1].usage(scopeOf('team:growth'))).toMatchObject({ spentNanos: tally.settled.get('team:growth'), reservedNanos: 0 });
    } finally {
      await deleteByPrefix(admin, prefix);
      expect(await admin.keys(`${prefix}*`)).toEqual([]);
      await admin.quit();
      for (const store of stores) await store.close();
    }
  });
});
