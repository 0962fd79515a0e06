import { FrugalError } from '../errors/frugal-error.js';
import { type BudgetPeriod, periodWindow, type PeriodWindow } from './budget-period.js';

/** One budget counter: what it counts, its limit and its period. */
export interface BudgetScope {
  /** What is counted: "key:k_123", "team:growth", "tag:feature=summarize", "global". */
  id: string;
  limitNanos: number;
  period: BudgetPeriod;
  /** A hard scope refuses a reservation that would take it past its limit; a soft one only counts. */
  hard: boolean;
  /** IANA zone whose midnight starts the period; UTC when absent. */
  timeZone?: string;
}

/** A counter's state in its current period (or, after a settle, in the period the reservation was made in). */
export interface ScopeUsage {
  scopeId: string;
  periodId: string;
  periodEndMs: number;
  spentNanos: number;
  /** Open, unexpired reservations. */
  reservedNanos: number;
}

/** A hard scope that could not take the amount; nothing was reserved anywhere. */
export interface BudgetRejection {
  ok: false;
  scope: BudgetScope;
  periodId: string;
  periodEndMs: number;
  limitNanos: number;
  spentNanos: number;
  reservedNanos: number;
}

/** `usage` lists the reservation's scopes, in order, after the change. */
export type ReserveResult = { ok: true; usage: ScopeUsage[] } | BudgetRejection;

export interface SettleResult {
  /** False when the reservation was already settled or released, or is unknown: nothing changed. */
  settled: boolean;
  /** The reservation's scopes after the settle, in order; empty when `settled` is false. */
  usage: ScopeUsage[];
}

export interface ExtendOptions {
  /** Hold the amount even past a hard limit: it was already spent (a provider billed beyond the hold). */
  force?: boolean;
}

/**
 * Where budgets are counted. Every operation is atomic, also across gateway instances sharing the store.
 *
 * - `reserve` holds `amountNanos` on every scope or on none: it fails when a hard scope's
 *   spent + reserved + amount would exceed its limit. A reserve retried with the same id reserves once.
 * - A reservation stops counting `ttlMs` after it was made (or last extended), so an instance that dies
 *   mid-call frees its reservations. A settle that arrives later still records what was spent: hiding a
 *   real cost would only let the next calls overspend.
 * - `settle` turns the reservation into spend at the real cost (which may be below or above the amount
 *   held) in the period it was reserved in; `release` drops it. Both are idempotent.
 * - `extend` adds to an open reservation (a fallback to a pricier model) under the same all-or-none rule
 *   and restarts its TTL; `extend(id, 0, ttl)` is a heartbeat for long streams. It throws when the
 *   reservation was already settled or released. A forced extend never refuses: money a provider already
 *   billed must count at once, or concurrent calls would be let through on room that is gone.
 */
export interface BudgetStore {
  reserve(scopes: readonly BudgetScope[], amountNanos: number, reservationId: string, ttlMs: number): Promise<ReserveResult>;
  extend(reservationId: string, additionalNanos: number, ttlMs: number, options?: ExtendOptions): Promise<ReserveResult>;
  settle(reservationId: string, actualNanos: number): Promise<SettleResult>;
  release(reservationId: string): Promise<boolean>;
  usage(scope: BudgetScope): Promise<ScopeUsage>;
  /**
   * True for the first caller to claim `key` (across instances) until `untilMs`, false for every other:
   * how an alert is sent once per budget, period and threshold however many instances see it.
   */
  claimOnce(key: string, untilMs: number): Promise<boolean>;
  /** Gives a claim back (an alert that could not be delivered may be tried again). */
  releaseClaim(key: string): Promise<void>;
  close(): Promise<void>;
}

/** How long after its TTL a reservation's record is kept, so that a late settle still finds its scopes. */
export const RESERVATION_GRACE_MS = 3_600_000;

/** How long a period's counters are kept after the period ends (for late settles and inspection). */
export const DEFAULT_COUNTER_RETENTION_MS = 7 * 86_400_000;

export function checkNanos(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of nano-dollars, got ${value}.`);
  }
  return value;
}

export function checkTtlMs(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`Reservation TTL must be a positive integer of ms, got ${ttlMs}.`);
  return ttlMs;
}

export function checkReservationId(reservationId: string): string {
  if (typeof reservationId !== 'string' || reservationId === '') throw new RangeError('A reservation needs a non-empty id.');
  return reservationId;
}

/** Two scopes of one reservation must not share a counter, or the reservation would count twice there. */
export function checkScopes(scopes: readonly BudgetScope[]): void {
  const seen = new Set<string>();
  for (const scope of scopes) {
    if (typeof scope.id !== 'string' || scope.id === '') throw new RangeError('A budget scope needs a non-empty id.');
    checkNanos(scope.limitNanos, `Budget '${scope.id}' limit`);
    const counter = `${scope.id}|${scope.period}|${scope.timeZone ?? 'UTC'}`;
    if (seen.has(counter)) throw new RangeError(`Budget scope '${scope.id}' (${scope.period}) appears twice in one reservation.`);
    seen.add(counter);
  }
}

export function reservationNotOpen(reservationId: string): FrugalError {
  return new FrugalError('internal_error', `Budget reservation '${reservationId}' is not open: it was settled, released, or expired long ago.`);
}

/** The counter a scope uses in a period: the period id, the zone when not UTC, then the scope id. */
export function counterName(scope: BudgetScope, window: PeriodWindow): string {
  const zone = scope.timeZone === undefined || scope.timeZone === 'UTC' ? '' : `@${scope.timeZone}`;
  return `${window.id}${zone}:${scope.id}`;
}

/**
 * periodWindow with the last window per (period, zone) remembered: the request path asks for the same
 * window thousands of times between two midnights, and Intl formatting is not free.
 */
export function createWindowCache(): (scope: BudgetScope, atMs: number) => PeriodWindow {
  const last = new Map<string, PeriodWindow>();
  return (scope, atMs) => {
    const cacheKey = `${scope.period}|${scope.timeZone ?? 'UTC'}`;
    const cached = last.get(cacheKey);
    if (cached !== undefined && atMs >= cached.start && atMs < cached.end) return cached;
    const window = periodWindow(scope.period, atMs, scope.timeZone);
    last.set(cacheKey, window);
    return window;
  };
}
