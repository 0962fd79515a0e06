import { describe, expect, it } from 'vitest';
import { parsePriceWindow, windowContains } from './price-window.js';

const at = (iso: string) => Date.parse(iso);

describe('parsePriceWindow', () => {
  it('reads DeepSeek-style windows, with and without days and offsets', () => {
    expect(parsePriceWindow('16:30-00:30 UTC')).toEqual({ text: '16:30-00:30 UTC', days: 0b111_1111, startMinute: 990, endMinute: 30, offsetMinutes: 0 });
    expect(parsePriceWindow('Mon-Fri 18:00-24:00 UTC+8')).toMatchObject({ days: 0b011_1110, startMinute: 1080, endMinute: 1440, offsetMinutes: 480 });
    expect(parsePriceWindow('Sat,Sun 00:00-24:00 UTC-03:30')).toMatchObject({ days: 0b100_0001, offsetMinutes: -210 });
    // A range may wrap the week.
    expect(parsePriceWindow('Fri-Mon 09:00-17:00 UTC').days).toBe(0b110_0011);
  });

  it.each([
    ['16:30-00:30', 'no zone'],
    ['16:30-00:30 CET', 'named zone'],
    ['25:00-01:00 UTC', 'hour past 24'],
    ['10:60-11:00 UTC', 'minute past 59'],
    ['24:00-01:00 UTC', '24:00 as a start'],
    ['09:00-09:00 UTC', 'empty window'],
    ['Mon-Fry 09:00-10:00 UTC', 'unknown day'],
    ['09:00-10:00 UTC+15', 'offset beyond 14 hours'],
  ])('refuses %s (%s)', (text) => {
    expect(() => parsePriceWindow(text)).toThrow(RangeError);
  });
});

describe('windowContains', () => {
  const crossing = parsePriceWindow('16:30-00:30 UTC');

  it('includes the start and excludes the end, to the millisecond', () => {
    expect(windowContains(crossing, at('2026-11-16T16:29:59.999Z'))).toBe(false);
    expect(windowContains(crossing, at('2026-11-16T16:30:00.000Z'))).toBe(true);
    expect(windowContains(crossing, at('2026-11-17T00:29:59.999Z'))).toBe(true);
    expect(windowContains(crossing, at('2026-11-17T00:30:00.000Z'))).toBe(false);
  });

  it('crosses midnight: the early-morning part belongs to the window that started the day before', () => {
    expect(windowContains(crossing, at('2026-11-16T23:59:59.999Z'))).toBe(true);
    expect(windowContains(crossing, at('2026-11-17T00:00:00.000Z'))).toBe(true);
    expect(windowContains(crossing, at('2026-11-17T12:00:00.000Z'))).toBe(false);
    // Only on days it starts: Friday's window runs into Saturday morning, Saturday has none.
    const weekdays = parsePriceWindow('Mon-Fri 22:00-02:00 UTC');
    expect(new Date(at('2026-11-14T00:00:00Z')).getUTCDay()).toBe(6);
    expect(windowContains(weekdays, at('2026-11-14T01:59:00Z'))).toBe(true);
    expect(windowContains(weekdays, at('2026-11-14T22:30:00Z'))).toBe(false);
    expect(windowContains(weekdays, at('2026-11-16T01:00:00Z'))).toBe(false);
  });

  it('applies the offset to both the time of day and the day of the week', () => {
    // Monday 18:00 in Beijing is Monday 10:00 UTC; Saturday 00:00 in Beijing is Friday 16:00 UTC.
    const evening = parsePriceWindow('Mon-Fri 18:00-24:00 UTC+8');
    expect(windowContains(evening, at('2026-11-16T09:59:59.999Z'))).toBe(false);
    expect(windowContains(evening, at('2026-11-16T10:00:00.000Z'))).toBe(true);
    expect(windowContains(evening, at('2026-11-16T15:59:59.999Z'))).toBe(true);
    expect(windowContains(evening, at('2026-11-16T16:00:00.000Z'))).toBe(false);
    const weekend = parsePriceWindow('Sat-Sun 00:00-24:00 UTC+8');
    expect(windowContains(weekend, at('2026-11-13T15:59:59.999Z'))).toBe(false);
    expect(windowContains(weekend, at('2026-11-13T16:00:00.000Z'))).toBe(true);
    expect(windowContains(weekend, at('2026-11-15T15:59:59.999Z'))).toBe(true);
    expect(windowContains(weekend, at('2026-11-15T16:00:00.000Z'))).toBe(false);
  });

  it('handles times before 1970 (negative epoch milliseconds)', () => {
    expect(windowContains(crossing, at('1969-12-31T20:00:00Z'))).toBe(true);
    expect(windowContains(parsePriceWindow('Wed 00:00-24:00 UTC'), at('1969-12-31T12:00:00Z'))).toBe(true);
  });
});
