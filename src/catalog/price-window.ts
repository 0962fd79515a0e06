import type { PriceWindow } from './pricing.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const ALL_DAYS = 0b111_1111;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// "Mon-Fri,Sun 16:30-00:30 UTC+08:00": days optional, the zone always written so nobody guesses it.
const WINDOW = /^(?:([A-Za-z,-]+)\s+)?(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s+UTC(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/;

/**
 * Parses a price window as providers publish them: "16:30-00:30 UTC" (DeepSeek's 2025 off-peak hours),
 * "Mon-Fri 18:00-24:00 UTC+8", "Sat-Sun 00:00-24:00 UTC+8". Start inclusive, end exclusive; an end at or
 * before the start crosses midnight; "24:00" ends at midnight. Only fixed offsets: a named zone would move
 * with daylight saving, and the providers that publish windows (DeepSeek: Beijing time) have none.
 * Days, when given, are the local days on which the window starts. Throws RangeError saying what is wrong.
 *
 * @example
 * parsePriceWindow('16:30-00:30 UTC'); // { days: 127, startMinute: 990, endMinute: 30, offsetMinutes: 0, … }
 */
export function parsePriceWindow(text: string): PriceWindow {
  const match = WINDOW.exec(text.trim());
  if (!match) throw new RangeError(`'${text}' is not a window such as "16:30-00:30 UTC" or "Mon-Fri 09:00-12:00 UTC+8"`);
  const [, dayText, startHour, startMinute, endHour, endMinute, sign, offsetHours, offsetMinutes] = match;
  const start = clock(startHour, startMinute, text, false);
  const end = clock(endHour, endMinute, text, true);
  if (start === end % 1440 && !(start === 0 && end === 1440)) {
    throw new RangeError(`'${text}' starts and ends at the same time; write 00:00-24:00 for a whole day`);
  }
  const offset = offsetHours === undefined ? 0 : Number(offsetHours) * 60 + Number(offsetMinutes ?? 0);
  if (offset > 14 * 60 || Number(offsetMinutes ?? 0) >= 60) throw new RangeError(`'${text}' has an offset beyond UTC±14:00`);
  return {
    text: text.trim(),
    days: dayText === undefined ? ALL_DAYS : parseDays(dayText, text),
    startMinute: start,
    endMinute: end,
    offsetMinutes: sign === '-' ? -offset : offset,
  };
}

/** Whether epoch milliseconds `at` falls inside the window. Pure integer arithmetic, no Date, no time zone database. */
export function windowContains(window: PriceWindow, at: number): boolean {
  const local = at + window.offsetMinutes * MINUTE_MS;
  const dayNumber = Math.floor(local / DAY_MS);
  const msOfDay = local - dayNumber * DAY_MS;
  // 1970-01-01 was a Thursday (4 with Sunday = 0).
  const weekday = (((dayNumber + 4) % 7) + 7) % 7;
  const startMs = window.startMinute * MINUTE_MS;
  const endMs = window.endMinute * MINUTE_MS;
  const startsOn = (day: number) => (window.days & (1 << day)) !== 0;
  if (window.endMinute > window.startMinute) return startsOn(weekday) && msOfDay >= startMs && msOfDay < endMs;
  // Crosses midnight: the evening part belongs to today's window, the early-morning part to yesterday's.
  return (startsOn(weekday) && msOfDay >= startMs) || (startsOn((weekday + 6) % 7) && msOfDay < endMs);
}

function clock(hours: string, minutes: string, text: string, isEnd: boolean): number {
  const value = Number(hours) * 60 + Number(minutes);
  if (Number(minutes) >= 60 || value > 1440 || (value === 1440 && !isEnd)) throw new RangeError(`'${text}' has a time outside 00:00-24:00`);
  return value;
}

function parseDays(text: string, whole: string): number {
  let days = 0;
  for (const part of text.toLowerCase().split(',')) {
    const [first, last = first] = part.split('-');
    const from = DAY_NAMES.indexOf(first as (typeof DAY_NAMES)[number]);
    const to = DAY_NAMES.indexOf(last as (typeof DAY_NAMES)[number]);
    if (from < 0 || to < 0) throw new RangeError(`'${whole}': '${part}' is not a day or range of days (Mon, Tue, …, Sun; Mon-Fri)`);
    // Ranges may wrap the week: Fri-Mon is Fri, Sat, Sun, Mon.
    for (let day = from; ; day = (day + 1) % 7) {
      days |= 1 << day;
      if (day === to) break;
    }
  }
  return days;
}
