import type { AttemptHold, SpendHold } from '../request/request-context.js';
import type { BudgetReservation } from './budget-guard.js';
import { costCeilingExceeded, type CostCeiling } from './cost-ceiling.js';

/** A provider billed one call more than its worst case: it ignored max_tokens, or tokenizes differently. */
export interface Overshoot {
  model: string;
  provider: string;
  boundNanos: number;
  actualNanos: number;
}

export interface SpendHoldOptions {
  /** The request's budget reservations (none when only a ceiling applies). */
  reservations: readonly BudgetReservation[];
  ceiling: CostCeiling | undefined;
  /** What the request spent so far, over every finished attempt (the pipeline's running total). */
  spentNanos: () => number;
  defaultMaxTokens: number;
  onOvershoot?: (overshoot: Overshoot) => void;
}

/**
 * One request's spend limits, which every upstream attempt passes through first. An attempt holds its worst case
 * on top of what the request already spent *and* what its other attempts in flight hold: a hedge runs beside its
 * primary, so holding only "spent + this attempt" (the old rule) would let two worst cases share one hold.
 *
 * @example
 * const hold = createSpendHold({ reservations, ceiling: { nanos: 50_000_000, source: 'x-frugal-max-cost-usd' }, spentNanos: () => spend.costNanos, defaultMaxTokens: 4096 });
 * const attempt = await hold.beginAttempt(worstCase, { model: 'gpt-4o', provider: 'openai' });
 * try { cost = await call(); } finally { await attempt.end(cost); }
 */
export function createSpendHold(options: SpendHoldOptions): SpendHold {
  const { reservations, ceiling, spentNanos } = options;
  let inFlightNanos = 0;
  // Store round trips run one at a time, so two concurrent attempts never extend for the same gap twice.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  async function holdAtLeast(totalNanos: number): Promise<void> {
    for (const reservation of reservations) {
      if (totalNanos > reservation.heldNanos) await reservation.extend(totalNanos - reservation.heldNanos);
    }
  }

  async function absorbUpTo(totalNanos: number): Promise<void> {
    for (const reservation of reservations) {
      if (totalNanos > reservation.heldNanos) await reservation.absorb(totalNanos - reservation.heldNanos);
    }
  }

  return {
    defaultMaxTokens: options.defaultMaxTokens,
    ceiling,
    async beginAttempt(worstCaseNanos, who) {
      const committed = spentNanos() + inFlightNanos;
      if (ceiling !== undefined && committed + worstCaseNanos > ceiling.nanos) throw costCeilingExceeded(ceiling, committed, worstCaseNanos, who.model);
      // Counted before the first await, so an attempt starting meanwhile (a hedge) already sees it.
      inFlightNanos += worstCaseNanos;
      try {
        await serially(() => holdAtLeast(spentNanos() + inFlightNanos));
      } catch (error) {
        inFlightNanos -= worstCaseNanos;
        throw error;
      }
      let ended = false;
      const attempt: AttemptHold = {
        async end(actualNanos) {
          if (ended) return;
          ended = true;
          inFlightNanos -= worstCaseNanos;
          if (actualNanos === undefined || actualNanos <= worstCaseNanos) return;
          options.onOvershoot?.({ model: who.model, provider: who.provider, boundNanos: worstCaseNanos, actualNanos });
          // Counted against the budgets now, past their limits if need be: the money is spent, and calls
          // starting meanwhile must see it. The settle at the end replaces the hold with the real total.
          await serially(() => absorbUpTo(spentNanos() + inFlightNanos)).catch(() => undefined);
        },
      };
      return attempt;
    },
  };
}
