import { describe, expect, it } from 'vitest';
import { type Price, priceUsage } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { BudgetAlert } from './budget-alert.js';
import { type BudgetGuardOptions, createBudgetGuard, estimateWorstCaseNanos } from './budget-guard.js';
import type { BudgetRule } from './budget-rule.js';
import type { BudgetStore } from './budget-store.js';
import { createMemoryBudgetStore } from './memory-budget-store.js';

const USD = 1_000_000_000;
const cents = (count: number) => count * 10_000_000;
const START = Date.UTC(2026, 10, 23, 12);

function setup(budgets: BudgetRule[], extra: Partial<BudgetGuardOptions> = {}) {
  let now = START;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const store = extra.store ?? createMemoryBudgetStore({ now: clock.now });
  const alerts: BudgetAlert[] = [];
  let ids = 0;
  const guard = createBudgetGuard({
    store,
    budgets,
    now: clock.now,
    alerts: { notify: (alert) => void alerts.push(alert) },
    newReservationId: () => `r${++ids}`,
    ...extra,
  });
  return { guard, store, clock, alerts };
}

const growth = { keyId: 'k_1', team: 'growth', tags: { feature: 'summarize' } };

async function caught(promise: Promise<unknown>): Promise<FrugalError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FrugalError) return error;
    throw error;
  }
  throw new Error('expected a FrugalError');
}

/** Lets the fire-and-forget alert deliveries run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('estimateWorstCaseNanos', () => {
  const price: Price = { inputPico: 150_000, outputPico: 600_000, cachedInputPico: 75_000, cacheWritePico: 187_500 };

  it('prices every prompt token at the dearest prompt price and max_tokens at the output price', () => {
    // 1 000 × 0.1875 + 500 × 0.6 nano-dollars
    expect(estimateWorstCaseNanos({ promptTokens: 1_000, maxOutputTokens: 500, price })).toBe(187_500 + 300_000);
    expect(estimateWorstCaseNanos({ promptTokens: 1_000, maxOutputTokens: 0, price: { ...price, cacheWritePico: 0 } })).toBe(150_000);
  });

  it('is never below the real cost of a usage within its bounds', () => {
    for (const cached of [0, 100, 400]) {
      for (const written of [0, 300, 600]) {
        for (const completion of [0, 1, 250, 499, 500]) {
          const usage = { promptTokens: 1_000, completionTokens: completion, cachedPromptTokens: cached, cacheCreationTokens: written, reasoningTokens: 0, estimated: false };
          expect(priceUsage(usage, price)).toBeLessThanOrEqual(estimateWorstCaseNanos({ promptTokens: 1_000, maxOutputTokens: 500, price }));
        }
      }
    }
  });

  it('rejects counts that are not whole tokens', () => {
    expect(() => estimateWorstCaseNanos({ promptTokens: -1, maxOutputTokens: 5, price })).toThrow(RangeError);
    expect(() => estimateWorstCaseNanos({ promptTokens: 1, maxOutputTokens: 2.5, price })).toThrow(RangeError);
  });
});

describe('createBudgetGuard: hard budgets', () => {
  const teamMonthly: BudgetRule = { scope: 'team:growth', limitNanos: 50 * USD, period: 'month', hard: true };

  it('holds nothing and touches no store when no budget applies', async () => {
    const { guard, store } = setup([teamMonthly]);
    const reservation = await guard.begin({ keyId: 'k_9', team: 'search', tags: {}, worstCaseNanos: 10 * USD });
    expect(reservation.heldNanos).toBe(0);
    expect(await reservation.settle(10 * USD)).toEqual([]);
    expect(await store.usage({ id: 'team:search', limitNanos: 1, period: 'month', hard: true })).toMatchObject({ spentNanos: 0 });
  });

  it('refuses with budget_exceeded (429) naming the budget, its limit, spend and holds', async () => {
    const { guard } = setup([teamMonthly]);
    await (await guard.begin({ ...growth, worstCaseNanos: 50 * USD })).settle(cents(4999));
    await guard.begin({ ...growth, worstCaseNanos: cents(1) });
    const error = await caught(guard.begin({ ...growth, worstCaseNanos: cents(2) }));
    expect(error.code).toBe('budget_exceeded');
    expect(error.status).toBe(429);
    expect(error.type).toBe('insufficient_quota');
    expect(error.message).toBe("Budget 'team:growth (month)' of $50.00 is exhausted: spent $49.99, reserved $0.01.");
    // Settled spend alone leaves no room: only the next month (8 days away) helps.
    expect(error.retryAfterSeconds).toBe((Date.UTC(2026, 11, 1) - START) / 1000);
  });

  it('says when a budget with room left cannot cover one expensive call, without a Retry-After', async () => {
    const { guard } = setup([teamMonthly]);
    const error = await caught(guard.begin({ ...growth, worstCaseNanos: 60 * USD }));
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain("'team:growth (month)'");
    expect(error.message).toContain('$60.00');
    const held = await guard.begin({ ...growth, worstCaseNanos: 30 * USD });
    const second = await caught(guard.begin({ ...growth, worstCaseNanos: 30 * USD }));
    expect(second.retryAfterSeconds).toBeUndefined(); // the hold in flight may come back any moment
    await held.release();
    expect((await guard.begin({ ...growth, worstCaseNanos: 30 * USD })).heldNanos).toBe(30 * USD);
  });

  it('holds on key, team and tag together, or on none', async () => {
    const { guard, store } = setup([
      { scope: 'key:*', limitNanos: 10 * USD, period: 'day', hard: true },
      { scope: 'team:growth', limitNanos: 3 * USD, period: 'day', hard: true },
      { scope: 'tag:feature=*', limitNanos: 10 * USD, period: 'day', hard: true },
    ]);
    const key = { id: 'key:k_1', limitNanos: 10 * USD, period: 'day', hard: true } as const;
    await expect(guard.begin({ ...growth, worstCaseNanos: 4 * USD })).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect(await store.usage(key)).toMatchObject({ reservedNanos: 0 });
    await guard.begin({ ...growth, worstCaseNanos: 2 * USD });
    expect(await store.usage(key)).toMatchObject({ reservedNanos: 2 * USD });
    expect(await store.usage({ ...key, id: 'tag:feature=summarize' })).toMatchObject({ reservedNanos: 2 * USD });
  });

  it('gives each key and each tag value a budget of its own with *', async () => {
    const { guard } = setup([
      { scope: 'key:*', limitNanos: 1 * USD, period: 'day', hard: true },
      { scope: 'tag:feature=*', limitNanos: 5 * USD, period: 'day', hard: true },
    ]);
    await guard.begin({ keyId: 'k_1', team: null, tags: { feature: 'a' }, worstCaseNanos: 1 * USD });
    await guard.begin({ keyId: 'k_2', team: null, tags: { feature: 'b' }, worstCaseNanos: 1 * USD });
    await expect(guard.begin({ keyId: 'k_1', team: null, tags: { feature: 'c' }, worstCaseNanos: 1 })).rejects.toThrow(/key:k_1 \(day\)/);
    await guard.begin({ keyId: 'k_3', team: null, tags: {}, worstCaseNanos: 1 * USD });
  });

  it('matches a named tag value only, and global always', async () => {
    const { guard } = setup([
      { scope: 'tag:feature=summarize', limitNanos: 1 * USD, period: 'week', hard: true },
      { scope: 'global', limitNanos: 3 * USD, period: 'month', hard: true },
    ]);
    await guard.begin({ keyId: null, team: null, tags: { feature: 'summarize' }, worstCaseNanos: 1 * USD });
    await expect(guard.begin({ keyId: null, team: null, tags: { feature: 'summarize' }, worstCaseNanos: 1 })).rejects.toThrow(/tag:feature=summarize \(week\)/);
    await guard.begin({ keyId: null, team: null, tags: { feature: 'chat' }, worstCaseNanos: 2 * USD });
    await expect(guard.begin({ keyId: null, team: null, tags: {}, worstCaseNanos: 1 })).rejects.toThrow(/global \(month\)/);
  });

  it('extends a hold for a pricier fallback, or refuses and keeps the old hold', async () => {
    const { guard, store } = setup([teamMonthly]);
    const scope = { id: 'team:growth', limitNanos: 50 * USD, period: 'month', hard: true } as const;
    const reservation = await guard.begin({ ...growth, worstCaseNanos: 10 * USD });
    await reservation.extend(30 * USD);
    expect(reservation.heldNanos).toBe(40 * USD);
    const error = await caught(reservation.extend(11 * USD));
    expect(error.code).toBe('budget_exceeded');
    expect(reservation.heldNanos).toBe(40 * USD);
    expect(await store.usage(scope)).toMatchObject({ reservedNanos: 40 * USD });
    await reservation.settle(35 * USD);
    expect(await store.usage(scope)).toMatchObject({ spentNanos: 35 * USD, reservedNanos: 0 });
    await expect(reservation.extend(1)).rejects.toMatchObject({ code: 'internal_error' });
  });

  it('ends once: release, settle and end after the first end change nothing', async () => {
    const { guard, store } = setup([teamMonthly]);
    const scope = { id: 'team:growth', limitNanos: 50 * USD, period: 'month', hard: true } as const;
    const released = await guard.begin({ ...growth, worstCaseNanos: 5 * USD });
    await Promise.all([released.end(undefined), released.settle(5 * USD), released.end(2 * USD)]);
    const settled = await guard.begin({ ...growth, worstCaseNanos: 5 * USD });
    await settled.end(3 * USD);
    await settled.end(undefined);
    await settled.release();
    expect(await store.usage(scope)).toMatchObject({ spentNanos: 3 * USD, reservedNanos: 0 });
  });

  it('leaves the hold open when the store fails to settle, so the caller can try again', async () => {
    const memory = createMemoryBudgetStore({ now: () => START });
    let failures = 1;
    const flaky: BudgetStore = {
      ...memory,
      settle: (id, actual) => (failures-- > 0 ? Promise.reject(new Error('store away')) : memory.settle(id, actual)),
    };
    const { guard } = setup([teamMonthly], { store: flaky });
    const reservation = await guard.begin({ ...growth, worstCaseNanos: 5 * USD });
    await expect(reservation.end(4 * USD)).rejects.toThrow('store away');
    await reservation.end(4 * USD);
    expect(await memory.usage({ id: 'team:growth', limitNanos: 50 * USD, period: 'month', hard: true })).toMatchObject({ spentNanos: 4 * USD, reservedNanos: 0 });
  });
});

describe('createBudgetGuard: soft budgets and alerts', () => {
  it('never refuses on a soft budget, and names the downgrade route once it is used up', async () => {
    const { guard } = setup([{ scope: 'tag:feature=summarize', limitNanos: 1 * USD, period: 'day', hard: false, downgradeTo: 'cheap' }]);
    const first = await guard.begin({ ...growth, worstCaseNanos: cents(50) });
    expect(first.soft).toEqual([{ scopeId: 'tag:feature=summarize', budget: 'tag:feature=summarize (day)', ratio: 0.5, downgradeTo: 'cheap' }]);
    expect(first.downgradeTo).toBeUndefined();
    await first.settle(cents(50));
    const second = await guard.begin({ ...growth, worstCaseNanos: 2 * USD });
    expect(second.soft[0].ratio).toBe(2.5);
    expect(second.downgradeTo).toBe('cheap');
  });

  it('shares one counter between a soft and a hard budget on the same scope and period', async () => {
    const { guard, store } = setup([
      { scope: 'team:growth', limitNanos: 8 * USD, period: 'month', hard: false },
      { scope: 'team:growth', limitNanos: 10 * USD, period: 'month', hard: true },
    ]);
    const reservation = await guard.begin({ ...growth, worstCaseNanos: 9 * USD });
    expect(reservation.soft[0].ratio).toBe(9 / 8);
    expect(await store.usage({ id: 'team:growth', limitNanos: 10 * USD, period: 'month', hard: true })).toMatchObject({ reservedNanos: 9 * USD });
    await expect(guard.begin({ ...growth, worstCaseNanos: 2 * USD })).rejects.toMatchObject({ code: 'budget_exceeded' });
  });

  it('reports each threshold once, when settled spend first reaches it', async () => {
    const { guard, alerts } = setup([{ scope: 'team:growth', limitNanos: 10 * USD, period: 'month', hard: false }]);
    const spend = async (nanos: number) => (await guard.begin({ ...growth, worstCaseNanos: nanos })).settle(nanos);
    expect(await spend(4 * USD)).toEqual([]);
    expect((await spend(1 * USD)).map((alert) => alert.threshold)).toEqual([50]);
    expect(await spend(1 * USD)).toEqual([]);
    expect((await spend(5 * USD)).map((alert) => alert.threshold)).toEqual([80, 100]);
    expect(await spend(1 * USD)).toEqual([]);
    await flush();
    expect(alerts.map((alert) => alert.threshold)).toEqual([50, 80, 100]);
    expect(alerts[0]).toEqual({
      scopeId: 'team:growth',
      budget: 'team:growth (month)',
      period: 'month',
      periodId: '2026-11',
      periodEndMs: Date.UTC(2026, 11, 1),
      threshold: 50,
      spentNanos: 5 * USD,
      limitNanos: 10 * USD,
      hard: false,
      at: START,
    });
  });

  it('reports each threshold exactly once under concurrent settles from two guards', async () => {
    const store = createMemoryBudgetStore({ now: () => START });
    const rules: BudgetRule[] = [{ scope: 'global', limitNanos: 1_000, period: 'day', hard: true, thresholds: [10, 25, 50, 75, 90, 100] }];
    const one = setup(rules, { store });
    const two = setup(rules, { store, newReservationId: (() => { let n = 0; return () => `two-${++n}`; })() });
    const reservations = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).guard.begin({ keyId: null, team: null, tags: {}, worstCaseNanos: 10 })));
    const found = (await Promise.all(reservations.map((reservation) => reservation.settle(10)))).flat();
    expect(found.map((alert) => alert.threshold).sort((a, b) => a - b)).toEqual([10, 25, 50, 75, 90, 100]);
  });

  it('sends the 100% alert when a hard budget first turns a call away', async () => {
    const { guard, alerts } = setup([{ scope: 'key:*', limitNanos: 10 * USD, period: 'day', hard: true }]);
    await (await guard.begin({ ...growth, worstCaseNanos: cents(990) })).settle(cents(990));
    await expect(guard.begin({ ...growth, worstCaseNanos: cents(20) })).rejects.toMatchObject({ code: 'budget_exceeded' });
    await flush();
    expect(alerts.map((alert) => [alert.scopeId, alert.threshold, alert.spentNanos])).toEqual([
      ['key:k_1', 50, cents(990)],
      ['key:k_1', 80, cents(990)],
      ['key:k_1', 100, cents(990)],
    ]);
  });

  it('refuses a call dearer than the whole budget without a Retry-After (no period holds it) and without a false 100% alert', async () => {
    const { guard, alerts } = setup([{ scope: 'key:*', limitNanos: 10 * USD, period: 'day', hard: true }]);
    const error = await caught(guard.begin({ ...growth, worstCaseNanos: 11 * USD }));
    expect(error).toMatchObject({ code: 'budget_exceeded', status: 429, retryAfterSeconds: undefined });
    expect(error.message).toBe("Budget 'key:k_1 (day)' of $10.00 can never hold this call: it may cost $11.00, more than the whole budget. Lower max_tokens (or n), or use a cheaper model.");
    await flush();
    expect(alerts).toEqual([]);
    // The 100% alert is still there to send when spend really reaches the limit.
    await (await guard.begin({ ...growth, worstCaseNanos: 10 * USD })).settle(10 * USD);
    await flush();
    expect(alerts.map((alert) => alert.threshold)).toEqual([50, 80, 100]);
  });

  it('never lets a failing alert sink fail the request', async () => {
    const { guard } = setup([{ scope: 'global', limitNanos: 10, period: 'day', hard: true }], {
      alerts: {
        notify: () => {
          throw new Error('sink down');
        },
      },
    });
    const reservation = await guard.begin({ ...growth, worstCaseNanos: 10 });
    expect((await reservation.settle(10)).map((alert) => alert.threshold)).toEqual([50, 80, 100]);
    await flush();
  });
});

describe('createBudgetGuard: configuration', () => {
  const store = createMemoryBudgetStore();
  const build = (rule: Partial<BudgetRule>) => () =>
    createBudgetGuard({ store, budgets: [{ scope: 'global', limitNanos: 1, period: 'day', hard: true, ...rule }] });

  it('fails start-up with config_invalid naming the budget', () => {
    expect(build({ scope: 'keys:k_1' })).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining('budgets[0]') }));
    expect(build({ scope: 'tag:feature' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(build({ scope: 'team:' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(build({ limitNanos: -5 })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(build({ period: 'year' as 'day' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(build({ timeZone: 'Nowhere/Land' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(build({ thresholds: [0] })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(build({ downgradeTo: 'cheap' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
