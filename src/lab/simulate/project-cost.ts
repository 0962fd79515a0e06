import { FrugalError } from '../../errors/frugal-error.js';

export const DAY_MS = 86_400_000;
/** A month, for projections: 30 days, said in every report. */
export const MONTH_DAYS = 30;

/** How a sample becomes a month: by the time the sample covers, or by a stated request rate. */
export type Scaling = { kind: 'span'; spanMs: number } | { kind: 'rate'; requestsPerDay: number };

export interface Projection {
  perRequestNanos: bigint;
  perDayNanos: bigint;
  perMonthNanos: bigint;
}

/** numerator / denominator rounded half-up, for non-negative integers. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/**
 * A sample's total cost, projected. Every figure is computed from the exact total and rounded once to the
 * nano-dollar, so a per-day figure is not a rounded per-request figure multiplied up. 1 600 input tokens at
 * $0.25 per 1M tokens cost 1 600 × 250 000 pico = 400 000 nano = $0.0004; at 10 000 requests a day, $4 a day.
 *
 * @example
 * projectCost(400_000n, 1, { kind: 'rate', requestsPerDay: 10_000 }).perDayNanos; // 4_000_000_000n ($4)
 */
export function projectCost(totalNanos: bigint, requests: number, scaling: Scaling): Projection {
  if (totalNanos < 0n) throw new FrugalError('internal_error', 'projectCost: a negative total');
  if (requests <= 0) return { perRequestNanos: 0n, perDayNanos: 0n, perMonthNanos: 0n };
  const count = BigInt(requests);
  if (scaling.kind === 'rate') {
    const perDay = BigInt(scaling.requestsPerDay);
    return {
      perRequestNanos: divideRounded(totalNanos, count),
      perDayNanos: divideRounded(totalNanos * perDay, count),
      perMonthNanos: divideRounded(totalNanos * perDay * BigInt(MONTH_DAYS), count),
    };
  }
  const span = BigInt(scaling.spanMs);
  return {
    perRequestNanos: divideRounded(totalNanos, count),
    perDayNanos: divideRounded(totalNanos * BigInt(DAY_MS), span),
    perMonthNanos: divideRounded(totalNanos * BigInt(DAY_MS) * BigInt(MONTH_DAYS), span),
  };
}

/** "1 day", "2 h 30 min", "45 s": the span a sample covers, for the assumptions. */
export function formatSpan(ms: number): string {
  const parts: string[] = [];
  const units: Array<[number, string]> = [[DAY_MS, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1000, 's']];
  let left = ms;
  for (const [size, name] of units) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count > 0) parts.push(`${count} ${name}`);
  }
  if (left > 0 || parts.length === 0) parts.push(`${left} ms`);
  return parts.join(' ');
}

/** Below this a sample says nothing about a month: the run refuses to project from it. */
export const MIN_PROJECTION_SPAN_MS = 3_600_000;
/** Below this (a week) the sample misses weekly patterns: the projection comes with a warning. */
const WEEK_MS = 7 * DAY_MS;

/**
 * Whether a sample can be projected to a month: refuses one that covers less than an hour (unless the caller
 * states the real rate with --requests-per-day), and warns for one shorter than a week.
 */
export function projectionWarnings(scaling: Scaling, flag: string): string[] {
  if (scaling.kind === 'rate') return [];
  if (scaling.spanMs < MIN_PROJECTION_SPAN_MS) {
    throw new FrugalError(
      'invalid_request',
      `the sample covers only ${formatSpan(scaling.spanMs)}: too short to project a day or a month from. Pass your real rate with --requests-per-day N, or a range of at least 1 h`,
      { param: flag },
    );
  }
  if (scaling.spanMs < WEEK_MS) {
    return [`the sample covers ${formatSpan(scaling.spanMs)}, less than a week: the projection assumes every day is like it (weekends, peaks and quiet hours alike)`];
  }
  return [];
}
