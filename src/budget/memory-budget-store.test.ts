import { describe, expect, it } from 'vitest';
import { describeBudgetStoreConformance } from './budget-store.case.js';
import { createMemoryBudgetStore } from './memory-budget-store.js';

function fakeClock(start = Date.UTC(2026, 10, 23, 12)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describeBudgetStoreConformance('memory', async () => {
  const clock = fakeClock();
  return {
    store: createMemoryBudgetStore({ now: clock.now }),
    elapse: async (ms) => {
      clock.advance(ms);
    },
    jumpPeriodClock: (ms) => {
      clock.advance(ms);
    },
  };
});

describe('createMemoryBudgetStore', () => {
  const team = { id: 'team:growth', limitNanos: 1_000, period: 'day', hard: true } as const;

  it('expires a reservation exactly at its TTL', async () => {
    const clock = fakeClock();
    const store = createMemoryBudgetStore({ now: clock.now });
    await store.reserve([team], 1_000, 'r1', 5_000);
    clock.advance(4_999);
    expect(await store.usage(team)).toMatchObject({ reservedNanos: 1_000 });
    clock.advance(1);
    expect(await store.usage(team)).toMatchObject({ reservedNanos: 0 });
  });

  it('forgets an expired reservation an hour after its TTL: a settle then changes nothing', async () => {
    const clock = fakeClock();
    const store = createMemoryBudgetStore({ now: clock.now });
    await store.reserve([team], 500, 'r1', 1_000);
    clock.advance(1_000 + 3_600_000);
    expect(await store.settle('r1', 500)).toEqual({ settled: false, usage: [] });
    expect(await store.usage(team)).toMatchObject({ spentNanos: 0, reservedNanos: 0 });
  });

  it('starts a day at the scope time zone midnight', async () => {
    const clock = fakeClock(Date.UTC(2026, 10, 23, 14, 30));
    const store = createMemoryBudgetStore({ now: clock.now });
    const tokyo = { ...team, timeZone: 'Asia/Tokyo' };
    await store.reserve([tokyo], 100, 'r1', 1_000);
    await store.settle('r1', 100);
    expect(await store.usage(tokyo)).toMatchObject({ periodId: '2026-11-23', spentNanos: 100 });
    clock.advance(60 * 60_000); // 15:30 UTC is 00:30 in Tokyo: a new day there, not in UTC
    expect(await store.usage(tokyo)).toMatchObject({ periodId: '2026-11-24', spentNanos: 0 });
    expect(await store.usage(team)).toMatchObject({ periodId: '2026-11-23', spentNanos: 0 });
  });

  it('lets a claim lapse at its time', async () => {
    const clock = fakeClock();
    const store = createMemoryBudgetStore({ now: clock.now });
    expect(await store.claimOnce('team:growth|month|2026-11|80', clock.now() + 1_000)).toBe(true);
    clock.advance(999);
    expect(await store.claimOnce('team:growth|month|2026-11|80', clock.now() + 1_000)).toBe(false);
    clock.advance(1);
    expect(await store.claimOnce('team:growth|month|2026-11|80', clock.now() + 1_000)).toBe(true);
  });
});

describe('createMemoryBudgetStore with spentBefore (a restart resumes from the ledger)', () => {
  const scope = { id: 'global', limitNanos: 1_000, period: 'month' as const, hard: true };

  it('starts a counter at what the ledger holds for its period, asked once however many calls start it', async () => {
    const asked: string[] = [];
    const clock = fakeClock();
    const store = createMemoryBudgetStore({
      now: clock.now,
      spentBefore: async (scopeId, window) => {
        asked.push(`${scopeId}@${window.id}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return 900;
      },
    });
    const [a, b] = await Promise.all([store.reserve([scope], 50, 'a', 60_000), store.reserve([scope], 100, 'b', 60_000)]);
    expect(a.ok).toBe(true);
    // 900 already spent + 50 held: 100 more would pass the limit.
    expect(b).toMatchObject({ ok: false, spentNanos: 900, reservedNanos: 50 });
    expect(asked).toEqual(['global@2026-11']);
    expect(await store.usage(scope)).toMatchObject({ spentNanos: 900, reservedNanos: 50 });
    // A new period asks again.
    clock.advance(31 * 86_400_000);
    expect(await store.usage(scope)).toMatchObject({ periodId: '2026-12', spentNanos: 900 });
    expect(asked).toEqual(['global@2026-11', 'global@2026-12']);
  });

  it('starts at 0 when the ledger cannot be read or answers nonsense', async () => {
    const failing = createMemoryBudgetStore({ spentBefore: async () => Promise.reject(new Error('ledger down')) });
    expect(await failing.reserve([scope], 1_000, 'r', 60_000)).toMatchObject({ ok: true });
    const negative = createMemoryBudgetStore({ spentBefore: async () => -5 });
    expect(await negative.usage(scope)).toMatchObject({ spentNanos: 0 });
  });
});
