export type BudgetPeriod = 'day' | 'week' | 'month';

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month'];

/** One budget period: `[start, end)` in epoch ms, and a readable id ("2026-11-23", "2026-W48", "2026-11"). */
export interface PeriodWindow {
  start: number;
  end: number;
  id: string;
}

interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The period that contains `atMs`. Weeks are ISO weeks (start Monday, numbered by the year of their
 * Thursday, so 2027-01-01 is in "2026-W53"). `timeZone` is an IANA name; periods start at local midnight,
 * so a Tokyo day is 15:00–15:00 UTC and a DST day is 23 or 25 hours long.
 *
 * @example
 * periodWindow('week', Date.UTC(2026, 10, 25)) // { id: '2026-W48', start: Date.UTC(2026, 10, 23), end: Date.UTC(2026, 10, 30) }
 */
export function periodWindow(period: BudgetPeriod, atMs: number, timeZone = 'UTC'): PeriodWindow {
  const local = localDate(atMs, timeZone);
  let first: CivilDate;
  let next: CivilDate;
  let id: string;
  if (period === 'day') {
    first = local;
    next = addDays(local, 1);
    id = formatDate(local);
  } else if (period === 'week') {
    first = addDays(local, 1 - isoWeekday(local));
    next = addDays(first, 7);
    id = isoWeekId(first);
  } else if (period === 'month') {
    first = { year: local.year, month: local.month, day: 1 };
    next = local.month === 12 ? { year: local.year + 1, month: 1, day: 1 } : { year: local.year, month: local.month + 1, day: 1 };
    id = `${local.year}-${pad2(local.month)}`;
  } else {
    throw new RangeError(`Unknown budget period '${String(period)}'; expected day, week or month.`);
  }
  return { start: startOfLocalDay(first, timeZone), end: startOfLocalDay(next, timeZone), id };
}

/** Throws a RangeError unless `timeZone` is an IANA zone this runtime knows. */
export function checkTimeZone(timeZone: string): string {
  if (timeZone !== 'UTC') formatterFor(timeZone);
  return timeZone;
}

// Intl formatters are slow to build, so one per zone for the life of the process.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local wall-clock time at `atMs`, expressed as if it were a UTC timestamp (whole seconds). */
function wallClock(atMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(atMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
}

function localDate(atMs: number, timeZone: string): CivilDate {
  const wall = timeZone === 'UTC' ? atMs : wallClock(atMs, timeZone);
  const date = new Date(wall);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The first instant of a local calendar day. */
function startOfLocalDay(date: CivilDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  if (timeZone === 'UTC') return wall;
  // Two steps, because the offset at the guess may differ from the offset at local midnight near a DST change.
  let instant = wall - (wallClock(wall, timeZone) - wall);
  instant = wall - (wallClock(instant, timeZone) - instant);
  if (wallClock(instant, timeZone) === wall) return instant;
  // Local midnight does not exist (a DST jump at 00:00, as in Santiago): the day starts at the jump.
  // Offsets lie within −12 h…+14 h, so the day's first second is in this range; bisect to the second.
  let before = wall - 14 * HOUR_MS - 1_000;
  let after = wall + 12 * HOUR_MS;
  while (after - before > 1_000) {
    const middle = before + Math.floor((after - before) / 2_000) * 1_000;
    if (wallClock(middle, timeZone) >= wall) after = middle;
    else before = middle;
  }
  return after;
}

function addDays(date: CivilDate, days: number): CivilDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** 1 = Monday … 7 = Sunday. */
function isoWeekday(date: CivilDate): number {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

function isoWeekId(monday: CivilDate): string {
  const thursday = addDays(monday, 3);
  const dayOfYear = (Date.UTC(thursday.year, thursday.month - 1, thursday.day) - Date.UTC(thursday.year, 0, 1)) / DAY_MS;
  return `${thursday.year}-W${pad2(Math.floor(dayOfYear / 7) + 1)}`;
}

function formatDate(date: CivilDate): string {
  return `${date.year}-${pad2(date.month)}-${pad2(date.day)}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
