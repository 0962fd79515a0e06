import { createBudgetGuard, type BudgetGuard } from '../budget/budget-guard.js';
import type { SpendControl } from '../budget/open-spend-control.js';
import { chatWorstCaseNanos, embeddingWorstCaseNanos } from '../budget/worst-case.js';
import type { Price } from '../catalog/pricing.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { budgetLimitNanos } from '../keys/virtual-key.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { ChatRequest } from '../wire/chat-types.js';
import type { BatchCaller, BatchEndpoint, LineLane } from './batch-types.js';

/** Reservation ids of a line: one per guard (global budgets, the key's own), fixed so any instance can settle them. */
export const lineHoldIds = (batchId: string, lineNo: number) => [`${batchId}:${lineNo}:budgets`, `${batchId}:${lineNo}:key`];

/** The price a line is held at: the batch rates for a native lane, else the real-time ones. */
function linePrice(price: Price, lane: LineLane): Price {
  return lane !== 'own' && price.batch ? { ...price, ...price.batch } : price;
}

/**
 * The most one line can cost. A route's line may be served by any chat model, so it is held at the dearest one;
 * an unknown model holds nothing (the line fails before it spends).
 */
export function lineWorstCaseNanos(config: GatewayConfig, endpoint: BatchEndpoint, body: Record<string, unknown>, lane: LineLane): number {
  const model = String(body.model);
  const entry = config.models.get(model);
  const defaultMaxTokens = config.spendControl.defaultMaxTokens;
  if (endpoint === '/v1/embeddings') return entry ? embeddingWorstCaseNanos(body.input, linePrice(entry.price, lane)) : 0;
  const chat: ChatRequest =
    endpoint === '/v1/responses'
      ? ({ model, messages: [{ role: 'user', content: JSON.stringify(body.input ?? '') + JSON.stringify(body.instructions ?? '') }], max_tokens: body.max_output_tokens } as ChatRequest)
      : (body as unknown as ChatRequest);
  if (entry && !Object.hasOwn(config.routes, model)) return chatWorstCaseNanos(chat, linePrice(entry.price, lane), defaultMaxTokens);
  if (!Object.hasOwn(config.routes, model)) return 0;
  let dearest = 0;
  for (const candidate of config.models.values()) {
    if (candidate.type === 'chat') dearest = Math.max(dearest, chatWorstCaseNanos(chat, candidate.price, defaultMaxTokens));
  }
  return dearest;
}

export interface LineHold {
  lineNo: number;
  worstCaseNanos: number;
}

/**
 * Holds every line's worst case on every budget the batch's caller counts against, when the batch is accepted —
 * all lines or none: a batch that cannot fit is refused up front (402, naming the budget) and holds nothing.
 * Holds last the completion window (plus an hour); each is settled or released when its line ends.
 */
export async function reserveBatchBudgets(parts: { config: GatewayConfig; spendControl: SpendControl }, batchId: string, caller: BatchCaller, lines: readonly LineHold[], ttlMs: number): Promise<void> {
  const { config, spendControl } = parts;
  const facts = { keyId: caller.keyId, team: caller.key?.team ?? null, tags: caller.tags };
  const guards: Array<{ guard: (ids: string[]) => BudgetGuard; slot: number }> = [];
  const rules = config.spendControl.budgets.map((budget) => ({ ...budget }));
  if (rules.length > 0) guards.push({ guard: (ids) => createBudgetGuard({ store: spendControl.store, budgets: rules, alerts: spendControl.alerts, reservationTtlMs: ttlMs, newReservationId: () => ids.shift()! }), slot: 0 });
  const key = caller.key;
  if (key?.budget) {
    const keyRule = { scope: `key:${key.id}`, limitNanos: budgetLimitNanos(key.budget), period: key.budget.period, hard: key.budget.hard };
    guards.push({ guard: (ids) => createBudgetGuard({ store: spendControl.store, budgets: [keyRule], alerts: spendControl.alerts, reservationTtlMs: ttlMs, newReservationId: () => ids.shift()! }), slot: 1 });
  }
  if (guards.length === 0) return;
  const taken: string[] = [];
  try {
    for (const { guard, slot } of guards) {
      const ids = lines.map((line) => lineHoldIds(batchId, line.lineNo)[slot]);
      const made = guard([...ids]);
      for (const line of lines) {
        const reservation = await made.begin({ ...facts, worstCaseNanos: line.worstCaseNanos });
        if (reservation.id !== 'no-budget') taken.push(reservation.id);
      }
    }
  } catch (error) {
    await Promise.all(taken.map((id) => spendControl.store.release(id).catch(() => false)));
    if (error instanceof FrugalError && error.code === 'budget_exceeded') {
      throw new FrugalError('budget_exceeded', `This batch cannot fit its budget: ${error.message} Every line is held at its worst case when the batch is accepted.`, { status: 402 });
    }
    throw error;
  }
}

/** Ends a line's holds: settled at its real cost, or released when it spent nothing through them. */
export async function endLineHolds(spendControl: SpendControl, batchId: string, lineNo: number, costNanos: number | undefined): Promise<void> {
  await Promise.all(
    lineHoldIds(batchId, lineNo).map((id) => (costNanos === undefined ? spendControl.store.release(id) : spendControl.store.settle(id, costNanos)).catch(() => undefined)),
  );
}
