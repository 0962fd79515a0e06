import { describe, expect, it } from 'vitest';
import { checkTimeZone, periodWindow } from './budget-period.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('periodWindow in UTC', () => {
  it('gives the calendar day', () => {
    const window = periodWindow('day', Date.UTC(2026, 10, 23, 17, 5));
    expect(window).toEqual({ id: '2026-11-23', start: Date.UTC(2026, 10, 23), end: Date.UTC(2026, 10, 24) });
  });

  it('gives the ISO week, Monday to Monday', () => {
    // Wednesday 2026-11-25 is in ISO week 48, which starts Monday 23 November.
    expect(periodWindow('week', Date.UTC(2026, 10, 25, 9))).toEqual({
      id: '2026-W48',
      start: Date.UTC(2026, 10, 23),
      end: Date.UTC(2026, 10, 30),
    });
    // Sunday belongs to the week that started the Monday before.
    expect(periodWindow('week', Date.UTC(2026, 10, 29, 23, 59, 59, 999)).id).toBe('2026-W48');
    expect(periodWindow('week', Date.UTC(2026, 10, 30)).id).toBe('2026-W49');
  });

  it('numbers weeks that straddle New Year by the year of their Thursday', () => {
    expect(periodWindow('week', Date.UTC(2027, 0, 1)).id).toBe('2026-W53');
    expect(periodWindow('week', Date.UTC(2026, 0, 1)).id).toBe('2026-W01');
    expect(iso(periodWindow('week', Date.UTC(2026, 0, 1)).start)).toBe('2025-12-29T00:00:00.000Z');
    expect(periodWindow('week', Date.UTC(2024, 11, 30)).id).toBe('2025-W01');
  });

  it('gives the calendar month, including December to January', () => {
    expect(periodWindow('month', Date.UTC(2026, 10, 23))).toEqual({
      id: '2026-11',
      start: Date.UTC(2026, 10, 1),
      end: Date.UTC(2026, 11, 1),
    });
    expect(periodWindow('month', Date.UTC(2026, 11, 31, 23))).toEqual({
      id: '2026-12',
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
    expect(periodWindow('month', Date.UTC(2028, 1, 29)).end).toBe(Date.UTC(2028, 2, 1));
  });

  it('is half-open: the end instant belongs to the next period', () => {
    const today = periodWindow('day', Date.UTC(2026, 10, 23, 12));
    expect(periodWindow('day', today.end - 1).id).toBe('2026-11-23');
    expect(periodWindow('day', today.end).id).toBe('2026-11-24');
  });

  it('rejects an unknown period', () => {
    expect(() => periodWindow('year' as 'day', 0)).toThrow(RangeError);
  });
});

describe('periodWindow in an IANA time zone', () => {
  it('starts a Tokyo day at 15:00 UTC the day before', () => {
    const window = periodWindow('day', Date.UTC(2026, 10, 23, 16), 'Asia/Tokyo');
    expect(window.id).toBe('2026-11-24');
    expect(iso(window.start)).toBe('2026-11-23T15:00:00.000Z');
    expect(iso(window.end)).toBe('2026-11-24T15:00:00.000Z');
  });

  it('starts a Tokyo month at local midnight of the 1st', () => {
    const window = periodWindow('month', Date.UTC(2026, 10, 30, 16), 'Asia/Tokyo');
    expect(window.id).toBe('2026-12');
    expect(iso(window.start)).toBe('2026-11-30T15:00:00.000Z');
    expect(iso(window.end)).toBe('2026-12-31T15:00:00.000Z');
  });

  it('makes the spring-forward day in Berlin 23 hours long', () => {
    const window = periodWindow('day', Date.UTC(2026, 2, 29, 12), 'Europe/Berlin');
    expect(window.id).toBe('2026-03-29');
    expect(iso(window.start)).toBe('2026-03-28T23:00:00.000Z');
    expect(window.end - window.start).toBe(23 * 3_600_000);
  });

  it('makes the fall-back day in New York 25 hours long', () => {
    const window = periodWindow('day', Date.UTC(2026, 10, 1, 12), 'America/New_York');
    expect(iso(window.start)).toBe('2026-11-01T04:00:00.000Z');
    expect(window.end - window.start).toBe(25 * 3_600_000);
  });

  it('starts the day at the jump when DST skips local midnight (Santiago)', () => {
    // On 2024-09-08 Santiago's clocks jumped from 00:00 −04 to 01:00 −03: the day began at 04:00 UTC.
    const window = periodWindow('day', Date.UTC(2024, 8, 8, 12), 'America/Santiago');
    expect(iso(window.start)).toBe('2024-09-08T04:00:00.000Z');
    expect(periodWindow('day', Date.UTC(2024, 8, 7, 12), 'America/Santiago').end).toBe(window.start);
  });

  it('tiles time: each window ends where the next begins', () => {
    for (const period of ['day', 'week', 'month'] as const) {
      let at = Date.UTC(2026, 0, 1);
      for (let step = 0; step < 20; step++) {
        const window = periodWindow(period, at, 'America/New_York');
        expect(window.start).toBeLessThanOrEqual(at);
        expect(window.end).toBeGreaterThan(at);
        expect(periodWindow(period, window.end, 'America/New_York').start).toBe(window.end);
        at = window.end + 17 * 86_400_000;
      }
    }
  });

  it('accepts known zones and rejects unknown ones', () => {
    expect(checkTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(checkTimeZone('UTC')).toBe('UTC');
    expect(() => checkTimeZone('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
