import type { PriceWindow } from '../catalog/pricing.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The first moment at or after `at` when `window` is in force (`at` itself when it already is), or undefined
 * when the window never opens (no days). Pure integer arithmetic on the window's fixed offset, like
 * windowContains in catalog/price-window.ts.
 *
 * @example
 * nextWindowStart(parsePriceWindow('16:30-00:30 UTC'), Date.parse('2026-11-14T12:00:00Z')); // 2026-11-14T16:30Z
 */
export function nextWindowStart(window: PriceWindow, at: number, contains: (window: PriceWindow, at: number) => boolean): number | undefined {
  if (contains(window, at)) return at;
  const offsetMs = window.offsetMinutes * MINUTE_MS;
  const localDay = Math.floor((at + offsetMs) / DAY_MS);
  // A week and a day covers every start a days-of-week window can have after `at`.
  for (let day = localDay; day <= localDay + 8; day += 1) {
    const weekday = (((day + 4) % 7) + 7) % 7;
    if ((window.days & (1 << weekday)) === 0) continue;
    const start = day * DAY_MS + window.startMinute * MINUTE_MS - offsetMs;
    if (start > at) return start;
  }
  return undefined;
}

/** The earliest start of any of `windows` at or after `at`. */
export function nextStartOfAny(windows: readonly PriceWindow[], at: number, contains: (window: PriceWindow, at: number) => boolean): number | undefined {
  let best: number | undefined;
  for (const window of windows) {
    const start = nextWindowStart(window, at, contains);
    if (start !== undefined && (best === undefined || start < best)) best = start;
  }
  return best;
}
