import { formatNanosUsd } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { AttemptHold, SpendHold } from '../request/request-context.js';

const DAY_MS = 86_400_000;

export interface QualityBudget {
  /** The hold every judge, reference and shadow call goes through (the model caller's choke point). */
  readonly hold: SpendHold;
  /** Spent today (UTC) by finished calls, and held by calls in flight, in nano-dollars. */
  usage(): { day: string; spentNanos: number; heldNanos: number; limitNanos: number };
}

export interface QualityBudgetOptions {
  limitNanosPerDay: number;
  /** Output tokens assumed for a call without max_tokens (judges set their own). */
  defaultMaxTokens?: number;
  now?: () => number;
}

/**
 * Quality overhead's own daily budget (UTC days), apart from every user budget: a call must fit with its worst
 * case (held before it is sent, as user calls are) or it is refused with `budget_exceeded` and not made.
 * Per process: several instances each keep their own count (N instances may spend N × the budget).
 *
 * @example
 * const budget = createQualityBudget({ limitNanosPerDay: 5_000_000_000 }); // $5 a day
 * context.spendHold = budget.hold;
 */
export function createQualityBudget({ limitNanosPerDay, defaultMaxTokens = 1_024, now = Date.now }: QualityBudgetOptions): QualityBudget {
  let day = Math.floor(now() / DAY_MS);
  let spent = 0;
  let held = 0;
  const roll = () => {
    const today = Math.floor(now() / DAY_MS);
    if (today !== day) {
      day = today;
      spent = 0;
    }
  };
  const hold: SpendHold = {
    defaultMaxTokens,
    ceiling: undefined,
    async beginAttempt(worstCaseNanos, who): Promise<AttemptHold> {
      roll();
      if (spent + held + worstCaseNanos > limitNanosPerDay) {
        throw new FrugalError(
          'budget_exceeded',
          `The quality budget (${formatNanosUsd(limitNanosPerDay)} a day) has ${formatNanosUsd(Math.max(0, limitNanosPerDay - spent - held))} left; a call to '${who.model}' may cost up to ${formatNanosUsd(worstCaseNanos)}.`,
        );
      }
      held += worstCaseNanos;
      let ended = false;
      return {
        async end(actualNanos) {
          if (ended) return;
          ended = true;
          held -= worstCaseNanos;
          roll();
          spent += actualNanos ?? 0;
        },
      };
    },
  };
  return {
    hold,
    usage() {
      roll();
      return { day: new Date(day * DAY_MS).toISOString().slice(0, 10), spentNanos: spent, heldNanos: held, limitNanos: limitNanosPerDay };
    },
  };
}
