import type { BudgetPeriod } from '../budget/budget-period.js';
import { usdDecimalToNanos } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';

/** A key's own budget. The limit is a decimal string of USD so it round-trips exactly (at most 9 decimals). */
export interface KeyBudget {
  limitUsd: string;
  period: BudgetPeriod;
  /** Hard: refuse calls that could pass the limit. Soft: alert only. */
  hard: boolean;
}

export interface KeyRateLimits {
  /** Requests per minute; null = no per-key limit. */
  rpm: number | null;
  /** Tokens per minute; null = no per-key limit. */
  tpm: number | null;
}

/**
 * A virtual key as stored, without its secret. The id is public (it appears in the plaintext, the ledger and
 * the admin API); only `fk-<id>-<secret>` authenticates.
 */
export interface VirtualKey {
  /** "vk_" + 12 base32 characters. */
  id: string;
  name: string;
  team: string | null;
  /** Model or route names the key may call; null = all. */
  allowedModels: string[] | null;
  budget: KeyBudget | null;
  rateLimits: KeyRateLimits;
  /** Added to every request's tags (the request's own tags win on conflict). */
  defaultTags: Record<string, string>;
  /** ms since the epoch; null = never. */
  expiresAt: number | null;
  createdAt: number;
  revokedAt: number | null;
  /** ms since the epoch of the last rotation; null = never rotated. */
  rotatedAt: number | null;
}

export type KeyStatus = 'active' | 'revoked' | 'expired';

/** A key is expired from the instant `expiresAt` on (the bound is exclusive). */
export function keyStatus(key: VirtualKey, now: number): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/**
 * A USD decimal string → integer nano-dollars, exactly (no float on the way). Refuses more than 9 decimals
 * and amounts past Number.MAX_SAFE_INTEGER nano-dollars (about 9 million USD).
 *
 * @example
 * usdToNanos('12.5') // 12_500_000_000
 */
export function usdToNanos(text: string, param = 'budget_usd'): number {
  const nanos = usdDecimalToNanos(text);
  if (nanos === undefined) {
    throw new FrugalError('invalid_request', `Invalid '${param}': expected a decimal amount of USD with at most 9 decimals (e.g. 50 or 12.75), got "${text}".`, { param });
  }
  if (nanos > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FrugalError('invalid_request', `Invalid '${param}': ${text} USD is more than a budget can hold (at most 9007199 USD).`, { param });
  }
  return Number(nanos);
}

/** The key's budget limit in nano-dollars, for the budget guard. */
export function budgetLimitNanos(budget: KeyBudget): number {
  return usdToNanos(budget.limitUsd, 'budget.limitUsd');
}
