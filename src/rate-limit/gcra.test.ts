import { describe, expect, it } from 'vitest';
import { gcraAdjust, gcraIncrementUs, gcraTake } from './gcra.js';

const NOW = 1_763_900_000_000_000; // µs
const rpm60 = { limit: 60, periodMs: 60_000 };

/** Runs takes at given times (µs offsets from NOW) against one key's state. */
function run(limit: { limit: number; periodMs: number }, takes: Array<[offsetUs: number, cost: number]>) {
  let tat: number | undefined;
  return takes.map(([offset, cost]) => {
    const step = gcraTake(tat, NOW + offset, limit, cost);
    if (step.tatUs !== undefined) tat = step.tatUs;
    return step.result;
  });
}

describe('gcraTake', () => {
  it('allows a full burst of `limit` at one instant, then one per emission interval', () => {
    const results = run(rpm60, [...Array.from({ length: 60 }, (): [number, number] => [0, 1]), [0, 1], [999_999, 1], [1_000_000, 1], [1_000_000, 1]]);
    expect(results.slice(0, 60).every((result) => result.allowed)).toBe(true);
    expect(results[0]).toEqual({ allowed: true, remaining: 59, resetAfterMs: 1_000 });
    expect(results[59]).toEqual({ allowed: true, remaining: 0, resetAfterMs: 60_000 });
    expect(results[60]).toEqual({ allowed: false, retryAfterMs: 1_000, exceedsLimit: false });
    expect(results[61]).toEqual({ allowed: false, retryAfterMs: 1, exceedsLimit: false });
    expect(results[62]).toMatchObject({ allowed: true, remaining: 0 });
    expect(results[63]).toEqual({ allowed: false, retryAfterMs: 1_000, exceedsLimit: false });
  });

  it('charges a token cost in proportion and refuses what does not fit, taking nothing', () => {
    const tpm = { limit: 1_000, periodMs: 60_000 };
    const results = run(tpm, [
      [0, 600],
      [0, 500],
      [0, 400],
      [0, 1],
    ]);
    expect(results.map((result) => result.allowed)).toEqual([true, false, true, false]);
    expect(results[1]).toEqual({ allowed: false, retryAfterMs: 6_000, exceedsLimit: false });
  });

  it('refuses a cost above the limit for good, without touching the state', () => {
    const step = gcraTake(undefined, NOW, { limit: 100, periodMs: 60_000 }, 101);
    expect(step).toEqual({ result: { allowed: false, retryAfterMs: 60_000, exceedsLimit: true }, tatUs: undefined });
  });

  it('keeps exact limits with emission intervals that are not whole microseconds', () => {
    const seven = { limit: 7, periodMs: 60_000 };
    const results = run(seven, Array.from({ length: 8 }, (): [number, number] => [0, 1]));
    expect(results.filter((result) => result.allowed)).toHaveLength(7);
    expect(gcraIncrementUs(1, seven)).toBe(8_571_428);
  });
});

describe('gcraAdjust', () => {
  const tpm = { limit: 1_000, periodMs: 60_000 };

  it('refunds unused tokens, never below now', () => {
    const after900 = gcraTake(undefined, NOW, tpm, 900).tatUs;
    expect(after900).toBe(NOW + 54_000_000);
    expect(gcraAdjust(after900, NOW, tpm, -500)).toBe(NOW + 24_000_000);
    expect(gcraAdjust(after900, NOW, tpm, -5_000)).toBeUndefined();
  });

  it('charges tokens beyond the estimate even past the limit, so the next takes wait', () => {
    const tat = gcraAdjust(NOW + 54_000_000, NOW, tpm, 300);
    expect(tat).toBe(NOW + 72_000_000);
    expect(gcraTake(tat, NOW, tpm, 1).result).toEqual({ allowed: false, retryAfterMs: 12_060, exceedsLimit: false });
  });

  it('starts from now for a key with no state', () => {
    expect(gcraAdjust(undefined, NOW, tpm, 100)).toBe(NOW + 6_000_000);
    expect(gcraAdjust(undefined, NOW, tpm, -100)).toBeUndefined();
  });
});
