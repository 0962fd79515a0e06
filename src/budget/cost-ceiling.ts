import { parseUsdNanos } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import { formatUsd } from './budget-rule.js';

/** The most one request may spend over all its upstream calls, and where that limit came from (for messages). */
export interface CostCeiling {
  nanos: number;
  /** "x-frugal-max-cost-usd", "route 'support' max_cost_usd". */
  source: string;
}

export const COST_CEILING_HEADER = 'x-frugal-max-cost-usd';

/** A positive decimal of USD (at most 9 decimals) → nano-dollars, or undefined when it is not one. */
export function parseCeilingUsd(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const nanos = parseUsdNanos(text);
  return nanos !== undefined && nanos > 0 ? nanos : undefined;
}

/** The header's ceiling, or a 400 naming the header when it is not a positive amount of USD. */
export function ceilingFromHeader(value: string | undefined): CostCeiling | undefined {
  if (value === undefined) return undefined;
  const nanos = parseCeilingUsd(value);
  if (nanos === undefined) {
    throw new FrugalError('invalid_request', `Invalid '${COST_CEILING_HEADER}' header: expected a positive amount of USD with at most 9 decimals (e.g. 0.05), got "${value}".`, {
      param: COST_CEILING_HEADER,
    });
  }
  return { nanos, source: COST_CEILING_HEADER };
}

/**
 * The lowest of the ceilings that apply. A client's header can only lower an operator's default (a route's or
 * a key's): a ceiling the caller could raise would bound nothing.
 */
export function tightestCeiling(...ceilings: Array<CostCeiling | undefined>): CostCeiling | undefined {
  let tightest: CostCeiling | undefined;
  for (const ceiling of ceilings) if (ceiling && (tightest === undefined || ceiling.nanos < tightest.nanos)) tightest = ceiling;
  return tightest;
}

/** Refusal of a call that could take the request past its ceiling; nothing was sent upstream for it. */
export function costCeilingExceeded(ceiling: CostCeiling, committedNanos: number, worstCaseNanos: number, model: string): FrugalError {
  return new FrugalError(
    'cost_ceiling_exceeded',
    `Cost ceiling of ${formatUsd(ceiling.nanos)} (${ceiling.source}) reached: this request has spent or holds ${formatUsd(committedNanos)}, and a call to '${model}' may cost up to ${formatUsd(worstCaseNanos)}.`,
    { retryable: false },
  );
}

export function isCostCeilingError(error: unknown): error is FrugalError {
  return error instanceof FrugalError && error.code === 'cost_ceiling_exceeded';
}
