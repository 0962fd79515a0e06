import { priceUsage, type TokenRates } from '../../catalog/pricing.js';
import type { ReportRow } from '../../ledger/ledger-store.js';

/** The field reports' rule of thumb: distilling pays once a task runs about a million calls a month. */
export const DISTILL_MIN_MONTHLY_CALLS = 1_000_000;

/** What a fine-tuned small model is assumed to cost to serve unless told otherwise: fine-tuned gpt-4.1-nano, USD per 1M tokens. */
export const DEFAULT_DISTILLED_PRICE = { input: 0.2, output: 0.8, label: 'fine-tuned gpt-4.1-nano, $0.20 / $0.80 per 1M tokens' } as const;

const MONTH_MS = 30 * 86_400_000;

export interface DistillCandidate {
  task: string | null;
  requests: number;
  /** Calls a month at the window's rate (30-day months). */
  monthlyCalls: number;
  monthlySpendNanos: bigint;
  /** The same tokens a month at the distilled model's price. */
  distilledMonthlyNanos: bigint;
  monthlySavingNanos: bigint;
  /** Volume at or past the rule of thumb. */
  passes: boolean;
}

/** x × MONTH / window, rounded half up, in integers. */
function perMonth(value: bigint, windowMs: number): bigint {
  const window = BigInt(Math.max(1, Math.round(windowMs)));
  return (2n * value * BigInt(MONTH_MS) + window) / (2n * window);
}

/**
 * Per task (a `report --by task` over a window): the monthly volume, what it costs now, and what the same tokens
 * would cost on a distilled model at `price` — most saving first. Pure: the ledger's sums in, exact money out.
 */
export function distillCandidates(rows: readonly ReportRow[], windowMs: number, price: TokenRates, minMonthlyCalls = DISTILL_MIN_MONTHLY_CALLS): DistillCandidate[] {
  return rows
    .filter((row) => row.requests > 0)
    .map((row) => {
      const distilled = BigInt(priceUsage({ promptTokens: row.promptTokens, completionTokens: row.completionTokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, price));
      const monthlyCalls = Number(perMonth(BigInt(row.requests), windowMs));
      const monthlySpendNanos = perMonth(row.costNanos, windowMs);
      const distilledMonthlyNanos = perMonth(distilled, windowMs);
      return {
        task: row.group,
        requests: row.requests,
        monthlyCalls,
        monthlySpendNanos,
        distilledMonthlyNanos,
        monthlySavingNanos: monthlySpendNanos - distilledMonthlyNanos,
        passes: monthlyCalls >= minMonthlyCalls,
      };
    })
    .sort((a, b) => (b.monthlySavingNanos > a.monthlySavingNanos ? 1 : b.monthlySavingNanos < a.monthlySavingNanos ? -1 : 0));
}
