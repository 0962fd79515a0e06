import type { PeriodWindow } from './budget-period.js';
import {
  type BudgetScope,
  type BudgetStore,
  checkNanos,
  checkReservationId,
  checkScopes,
  checkTtlMs,
  counterName,
  createWindowCache,
  DEFAULT_COUNTER_RETENTION_MS,
  type ReserveResult,
  RESERVATION_GRACE_MS,
  reservationNotOpen,
  type ScopeUsage,
} from './budget-store.js';

export interface MemoryBudgetStoreOptions {
  /** Epoch ms; passed in so tests control periods and TTLs. */
  now?: () => number;
  counterRetentionMs?: number;
  /**
   * What a scope had already spent in a period before this process counted it (the ledger's rows: see
   * ledger-spend-seed.ts), asked once when its counter starts. Without it a restart would start every budget at 0.
   */
  spentBefore?: (scopeId: string, window: PeriodWindow) => Promise<number>;
}

interface Counter {
  spent: number;
  reserved: number;
  window: PeriodWindow;
}

interface HeldScope {
  scope: BudgetScope;
  counter: Counter;
}

interface Reservation {
  amount: number;
  expiresAt: number;
  /** True while the amount is included in its counters' `reserved` (until settle, release or expiry). */
  counting: boolean;
  scopes: HeldScope[];
}

/**
 * Budgets in this process: the embedded default, exact because one event loop runs one operation at a
 * time. Several gateway instances need the Redis store instead.
 *
 * @example
 * const store = createMemoryBudgetStore();
 * await store.reserve([{ id: 'team:growth', limitNanos: 50_000_000_000, period: 'month', hard: true }], 2_000, 'req_1', 600_000);
 */
export function createMemoryBudgetStore(options: MemoryBudgetStoreOptions = {}): BudgetStore {
  const now = options.now ?? Date.now;
  const retentionMs = options.counterRetentionMs ?? DEFAULT_COUNTER_RETENTION_MS;
  const windowFor = createWindowCache();
  const counters = new Map<string, Counter>();
  const reservations = new Map<string, Reservation>();
  const claims = new Map<string, number>();
  // Sweeps run only when something is due, so the common operation stays O(scopes).
  let nextExpiryAt = Number.POSITIVE_INFINITY;
  let nextCounterPruneAt = 0;

  function sweep(at: number): void {
    if (at >= nextExpiryAt) {
      nextExpiryAt = Number.POSITIVE_INFINITY;
      for (const [id, reservation] of reservations) {
        if (reservation.counting && reservation.expiresAt <= at) stopCounting(reservation);
        const forgetAt = reservation.expiresAt + RESERVATION_GRACE_MS;
        if (forgetAt <= at) reservations.delete(id);
        else nextExpiryAt = Math.min(nextExpiryAt, reservation.counting ? reservation.expiresAt : forgetAt);
      }
    }
    if (at >= nextCounterPruneAt) {
      nextCounterPruneAt = at + 60_000;
      for (const [name, counter] of counters) if (counter.window.end + retentionMs <= at) counters.delete(name);
      for (const [key, until] of claims) if (until <= at) claims.delete(key);
    }
  }

  function stopCounting(reservation: Reservation): void {
    for (const held of reservation.scopes) held.counter.reserved -= reservation.amount;
    reservation.counting = false;
  }

  function counterFor(scope: BudgetScope, at: number): Counter {
    const window = windowFor(scope, at);
    const name = counterName(scope, window);
    let counter = counters.get(name);
    if (counter === undefined) {
      counter = { spent: 0, reserved: 0, window };
      counters.set(name, counter);
    }
    return counter;
  }

  function usageOf(held: HeldScope): ScopeUsage {
    return {
      scopeId: held.scope.id,
      periodId: held.counter.window.id,
      periodEndMs: held.counter.window.end,
      spentNanos: held.counter.spent,
      reservedNanos: held.counter.reserved,
    };
  }

  /** The first hard scope that cannot take `delta(held)` more, or undefined when all can. */
  function findRejection(scopes: HeldScope[], delta: (held: HeldScope) => number): ReserveResult | undefined {
    for (const held of scopes) {
      const extra = delta(held);
      if (!held.scope.hard || extra === 0) continue;
      if (held.counter.spent + held.counter.reserved + extra > held.scope.limitNanos) {
        return {
          ok: false,
          scope: held.scope,
          periodId: held.counter.window.id,
          periodEndMs: held.counter.window.end,
          limitNanos: held.scope.limitNanos,
          spentNanos: held.counter.spent,
          reservedNanos: held.counter.reserved,
        };
      }
    }
    return undefined;
  }

  // Counters being seeded from `spentBefore`: concurrent first uses of a scope wait for the same answer.
  const seeding = new Map<string, Promise<void>>();
  async function seeded(scopes: readonly BudgetScope[], at: number): Promise<void> {
    const spentBefore = options.spentBefore;
    if (spentBefore === undefined) return;
    const waits: Array<Promise<void>> = [];
    for (const scope of scopes) {
      const window = windowFor(scope, at);
      const name = counterName(scope, window);
      if (counters.has(name)) continue;
      let wait = seeding.get(name);
      if (wait === undefined) {
        const start = (spent: number) => {
          if (!counters.has(name)) counters.set(name, { spent, reserved: 0, window });
          seeding.delete(name);
        };
        // A ledger that cannot be read starts the counter at 0, as before: a budget must not stop the gateway.
        wait = spentBefore(scope.id, window).then((spent) => start(Number.isSafeInteger(spent) && spent > 0 ? spent : 0), () => start(0));
        seeding.set(name, wait);
      }
      waits.push(wait);
    }
    await Promise.all(waits);
  }

  function track(reservation: Reservation): void {
    nextExpiryAt = Math.min(nextExpiryAt, reservation.expiresAt);
  }

  return {
    async reserve(scopes, amountNanos, reservationId, ttlMs) {
      checkScopes(scopes);
      checkNanos(amountNanos, 'A reservation');
      checkReservationId(reservationId);
      checkTtlMs(ttlMs);
      await seeded(scopes, now());
      const at = now();
      sweep(at);
      const existing = reservations.get(reservationId);
      if (existing !== undefined) return { ok: true, usage: existing.scopes.map(usageOf) };
      const held = scopes.map((scope) => ({ scope: { ...scope }, counter: counterFor(scope, at) }));
      const rejection = findRejection(held, () => amountNanos);
      if (rejection !== undefined) return rejection;
      for (const { counter } of held) counter.reserved += amountNanos;
      const reservation: Reservation = { amount: amountNanos, expiresAt: at + ttlMs, counting: true, scopes: held };
      reservations.set(reservationId, reservation);
      track(reservation);
      return { ok: true, usage: held.map(usageOf) };
    },

    async extend(reservationId, additionalNanos, ttlMs, options = {}) {
      checkNanos(additionalNanos, 'An extension');
      checkTtlMs(ttlMs);
      const at = now();
      sweep(at);
      const reservation = reservations.get(reservationId);
      if (reservation === undefined) throw reservationNotOpen(reservationId);
      const total = reservation.amount + additionalNanos;
      // An expired reservation no longer counts anywhere, so it must be held again in full.
      const delta = reservation.counting ? additionalNanos : total;
      const rejection = options.force ? undefined : findRejection(reservation.scopes, () => delta);
      if (rejection !== undefined) return rejection;
      for (const { counter } of reservation.scopes) counter.reserved += delta;
      reservation.amount = total;
      reservation.counting = true;
      reservation.expiresAt = at + ttlMs;
      track(reservation);
      return { ok: true, usage: reservation.scopes.map(usageOf) };
    },

    async settle(reservationId, actualNanos) {
      checkNanos(actualNanos, 'A settled cost');
      sweep(now());
      const reservation = reservations.get(reservationId);
      if (reservation === undefined) return { settled: false, usage: [] };
      if (reservation.counting) stopCounting(reservation);
      for (const { counter } of reservation.scopes) counter.spent += actualNanos;
      reservations.delete(reservationId);
      return { settled: true, usage: reservation.scopes.map(usageOf) };
    },

    async release(reservationId) {
      sweep(now());
      const reservation = reservations.get(reservationId);
      if (reservation === undefined) return false;
      if (reservation.counting) stopCounting(reservation);
      reservations.delete(reservationId);
      return true;
    },

    async usage(scope) {
      await seeded([scope], now());
      const at = now();
      sweep(at);
      const window = windowFor(scope, at);
      const counter = counters.get(counterName(scope, window));
      return {
        scopeId: scope.id,
        periodId: window.id,
        periodEndMs: window.end,
        spentNanos: counter?.spent ?? 0,
        reservedNanos: counter?.reserved ?? 0,
      };
    },

    async claimOnce(key, untilMs) {
      const at = now();
      const until = claims.get(key);
      if (until !== undefined && until > at) return false;
      claims.set(key, untilMs);
      return true;
    },

    async releaseClaim(key) {
      claims.delete(key);
    },

    async close() {
      claims.clear();
      counters.clear();
      reservations.clear();
    },
  };
}
