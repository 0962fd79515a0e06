import { describe, expect, it } from 'vitest';
import { resolvePriceSpec } from '../catalog/price-spec.js';
import { windowContains, parsePriceWindow } from '../catalog/price-window.js';
import { nextWindowStart } from './next-window-start.js';
import { planPatientCall } from './patient-plan.js';

const HOUR = 3_600_000;
const deepseek = resolvePriceSpec({ input: 0.3, output: 1.2, off_peak: { windows: ['16:30-00:30 UTC'], input: 0.15, output: 0.6 } });
const withFlex = resolvePriceSpec({ input: 2, output: 8, flex: { input: 1, output: 4 } });
const plain = resolvePriceSpec({ input: 2, output: 8 });
const noon = Date.parse('2026-11-14T12:00:00Z');
const tokens = { promptTokens: 1_000, outputTokens: 500 };

describe('nextWindowStart', () => {
  it('finds the next opening of a window, today or on a later allowed day, and now when it is open', () => {
    const daily = parsePriceWindow('16:30-00:30 UTC');
    expect(new Date(nextWindowStart(daily, noon, windowContains)!).toISOString()).toBe('2026-11-14T16:30:00.000Z');
    expect(nextWindowStart(daily, Date.parse('2026-11-14T23:00:00Z'), windowContains)).toBe(Date.parse('2026-11-14T23:00:00Z'));
    // Beijing weekday evenings: on a Saturday the next start is Monday 18:00 UTC+8 = Monday 10:00 UTC.
    const weekdays = parsePriceWindow('Mon-Fri 18:00-24:00 UTC+8');
    const start = nextWindowStart(weekdays, noon, windowContains)!;
    expect(new Date(start).toISOString()).toBe('2026-11-16T10:00:00.000Z');
    expect(windowContains(weekdays, start)).toBe(true);
    expect(windowContains(weekdays, start - 1)).toBe(false);
  });
});

describe('planPatientCall', () => {
  it('waits for an off-peak window that opens before the deadline', () => {
    const plan = planPatientCall(deepseek, { requested: 'standard', at: noon, deadlineAt: noon + 5 * HOUR, ...tokens });
    expect(plan).toEqual({ tier: 'standard', startAt: Date.parse('2026-11-14T16:30:00Z'), applied: 'off_peak', expectedNanos: 450_000, realtimeNanos: 900_000 });
  });

  it('serves now at the real-time price when the window opens after the deadline', () => {
    const plan = planPatientCall(deepseek, { requested: 'standard', at: noon, deadlineAt: noon + 4 * HOUR, ...tokens });
    expect(plan).toMatchObject({ tier: 'standard', startAt: noon, applied: 'standard', expectedNanos: 900_000 });
  });

  it('serves now when the window is already open', () => {
    const evening = Date.parse('2026-11-14T17:00:00Z');
    expect(planPatientCall(deepseek, { requested: 'standard', at: evening, deadlineAt: evening + HOUR, ...tokens })).toMatchObject({ startAt: evening, applied: 'off_peak' });
  });

  it('takes the flex tier at once where the model has a flex price, and real time where it has none', () => {
    expect(planPatientCall(withFlex, { requested: 'standard', at: noon, deadlineAt: noon + HOUR, ...tokens })).toEqual({
      tier: 'flex',
      startAt: noon,
      applied: 'flex',
      expectedNanos: 3_000_000,
      realtimeNanos: 6_000_000,
    });
    expect(planPatientCall(plain, { requested: 'standard', at: noon, deadlineAt: noon + HOUR, ...tokens })).toMatchObject({ tier: 'standard', applied: 'standard', startAt: noon });
  });
});
