import { type BudgetStore, checkNanos, checkReservationId, checkScopes, checkTtlMs, type ReserveResult, type ScopeUsage, type SettleResult } from '../budget/budget-store.js';
import type { IpcPeer } from './ipc-peer.js';

/**
 * A worker's BudgetStore when budgets are kept in memory: every operation runs in the primary's one memory store,
 * so N workers count against one set of counters, atomically (one event loop runs one operation at a time).
 * Malformed input is refused here, before a round trip. `close` leaves the primary's store open: it is shared.
 *
 * @example
 * const store = createIpcBudgetStore(createIpcPeer(parentChannel()));
 */
export function createIpcBudgetStore(primary: IpcPeer): BudgetStore {
  return {
    async reserve(scopes, amountNanos, reservationId, ttlMs) {
      checkScopes(scopes);
      checkNanos(amountNanos, 'A reservation');
      checkReservationId(reservationId);
      checkTtlMs(ttlMs);
      return primary.call<ReserveResult>('budget.reserve', scopes, amountNanos, reservationId, ttlMs);
    },
    async extend(reservationId, additionalNanos, ttlMs, options) {
      checkNanos(additionalNanos, 'An extension');
      checkTtlMs(ttlMs);
      return primary.call<ReserveResult>('budget.extend', reservationId, additionalNanos, ttlMs, options ?? {});
    },
    async settle(reservationId, actualNanos) {
      checkNanos(actualNanos, 'A settled cost');
      return primary.call<SettleResult>('budget.settle', reservationId, actualNanos);
    },
    release: (reservationId) => primary.call<boolean>('budget.release', reservationId),
    usage: (scope) => primary.call<ScopeUsage>('budget.usage', scope),
    claimOnce: (key, untilMs) => primary.call<boolean>('budget.claimOnce', key, untilMs),
    releaseClaim: (key) => primary.call<void>('budget.releaseClaim', key),
    async close() {},
  };
}

/** The primary's side: answers a worker's budget calls from `store` (the one memory store of the cluster). */
export function serveBudgetStore(worker: IpcPeer, store: BudgetStore): void {
  worker.handle('budget.reserve', (...args: Parameters<BudgetStore['reserve']>) => store.reserve(...args));
  worker.handle('budget.extend', (...args: Parameters<BudgetStore['extend']>) => store.extend(...args));
  worker.handle('budget.settle', (...args: Parameters<BudgetStore['settle']>) => store.settle(...args));
  worker.handle('budget.release', (reservationId: string) => store.release(reservationId));
  worker.handle('budget.usage', (...args: Parameters<BudgetStore['usage']>) => store.usage(...args));
  worker.handle('budget.claimOnce', (key: string, untilMs: number) => store.claimOnce(key, untilMs));
  // undefined is sent back as nothing; JSON has no undefined.
  worker.handle('budget.releaseClaim', async (key: string) => {
    await store.releaseClaim(key);
    return null;
  });
}
