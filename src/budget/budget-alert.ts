import type { BudgetPeriod } from './budget-period.js';

/** A budget reached one of its alert thresholds (a percentage of its limit) in one period. */
export interface BudgetAlert {
  /** The counter: "team:growth", "key:k_123", "tag:feature=summarize", "global". */
  scopeId: string;
  /** How people read it: "team:growth (month)". */
  budget: string;
  period: BudgetPeriod;
  periodId: string;
  periodEndMs: number;
  /** Percent of the limit: 50, 80, 100… */
  threshold: number;
  spentNanos: number;
  limitNanos: number;
  hard: boolean;
  /** Epoch ms when the threshold was seen crossed. */
  at: number;
}

/**
 * Where the budget guard sends alerts. Delivery, retries and de-duplication across instances are the
 * sink's business; the guard never waits for it.
 */
export interface BudgetAlertSink {
  notify(alert: BudgetAlert): Promise<unknown> | void;
}

/** The key under which an alert is sent at most once: one per scope, period and threshold. */
export function alertDedupeKey(alert: BudgetAlert): string {
  return `${alert.scopeId}|${alert.period}|${alert.periodId}|${alert.threshold}`;
}
