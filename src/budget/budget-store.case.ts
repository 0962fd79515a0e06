import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetPeriod } from './budget-period.js';
import type { BudgetScope, BudgetStore } from './budget-store.js';

export interface BudgetStoreHarness {
  store: BudgetStore;
  /** Lets `ms` pass for reservation TTLs (a fake clock, or a real wait where the clock is the server's). */
  elapse(ms: number): Promise<void>;
  /** Moves the clock that picks the period forward (for the memory store, the same clock as TTLs). */
  jumpPeriodClock(ms: number): void;
  cleanUp?(): Promise<void>;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

let counter = 0;
/** A scope with an id no other test uses, so tests sharing one store stay independent. */
function scope(kind: string, limitNanos: number, hard = true, period: BudgetPeriod = 'day'): BudgetScope {
  counter += 1;
  return { id: `${kind}:t${counter}`, limitNanos, period, hard };
}

/**
 * The behaviour every BudgetStore must have. A backend's test file builds a harness and calls this.
 * (Named `.case.ts` so vitest does not run it on its own.)
 */
export function describeBudgetStoreConformance(name: string, createHarness: () => Promise<BudgetStoreHarness>) {
  describe(`${name}: BudgetStore conformance`, () => {
    let harness: BudgetStoreHarness;
    let store: BudgetStore;
    let ids = 0;
    const nextId = () => `${name}-r${++ids}`;
    beforeAll(async () => {
      harness = await createHarness();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.cleanUp?.();
      await harness?.store.close();
    });

    it('reports zero usage for a scope never touched', async () => {
      expect(await store.usage(scope('key', 100))).toMatchObject({ spentNanos: 0, reservedNanos: 0 });
    });

    it('reserves within the limit and reports the counters after', async () => {
      const team = scope('team', 1_000);
      const result = await store.reserve([team], 400, nextId(), 60_000);
      expect(result).toMatchObject({ ok: true, usage: [{ scopeId: team.id, spentNanos: 0, reservedNanos: 400 }] });
      expect(await store.usage(team)).toMatchObject({ spentNanos: 0, reservedNanos: 400 });
    });

    it('allows filling a hard budget exactly, and refuses one nano-dollar more', async () => {
      const team = scope('team', 1_000);
      expect((await store.reserve([team], 1_000, nextId(), 60_000)).ok).toBe(true);
      const refused = await store.reserve([team], 1, nextId(), 60_000);
      expect(refused).toEqual({ ok: false, scope: team, periodId: expect.any(String), periodEndMs: expect.any(Number), limitNanos: 1_000, spentNanos: 0, reservedNanos: 1_000 });
    });

    it('reserves on all scopes or on none', async () => {
      const key = scope('key', 10_000);
      const team = scope('team', 500);
      const tag = scope('tag', 10_000);
      const refused = await store.reserve([key, team, tag], 600, nextId(), 60_000);
      expect(refused).toMatchObject({ ok: false, scope: team, limitNanos: 500 });
      expect(await store.usage(key)).toMatchObject({ reservedNanos: 0 });
      expect(await store.usage(tag)).toMatchObject({ reservedNanos: 0 });
      const accepted = await store.reserve([key, team, tag], 500, nextId(), 60_000);
      expect(accepted.ok && accepted.usage.map((usage) => usage.reservedNanos)).toEqual([500, 500, 500]);
    });

    it('never refuses on a soft scope, but counts there', async () => {
      const soft = scope('tag', 100, false);
      const result = await store.reserve([soft], 250, nextId(), 60_000);
      expect(result).toMatchObject({ ok: true, usage: [{ reservedNanos: 250 }] });
    });

    it('settles at the real cost and frees the rest of the reservation', async () => {
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([team], 800, id, 60_000);
      const settled = await store.settle(id, 300);
      expect(settled).toMatchObject({ settled: true, usage: [{ scopeId: team.id, spentNanos: 300, reservedNanos: 0 }] });
      expect((await store.reserve([team], 700, nextId(), 60_000)).ok).toBe(true);
      expect((await store.reserve([team], 1, nextId(), 60_000)).ok).toBe(false);
    });

    it('settles once: a repeated settle or a release after it changes nothing', async () => {
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([team], 500, id, 60_000);
      await store.settle(id, 200);
      expect(await store.settle(id, 200)).toEqual({ settled: false, usage: [] });
      expect(await store.release(id)).toBe(false);
      expect(await store.usage(team)).toMatchObject({ spentNanos: 200, reservedNanos: 0 });
    });

    it('releases without spending, once', async () => {
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([team], 500, id, 60_000);
      expect(await store.release(id)).toBe(true);
      expect(await store.release(id)).toBe(false);
      expect(await store.settle(id, 500)).toEqual({ settled: false, usage: [] });
      expect(await store.usage(team)).toMatchObject({ spentNanos: 0, reservedNanos: 0 });
    });

    it('records a real cost above the reservation as it is', async () => {
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([team], 100, id, 60_000);
      expect((await store.settle(id, 1_250)).usage[0]).toMatchObject({ spentNanos: 1_250, reservedNanos: 0 });
      expect((await store.reserve([team], 1, nextId(), 60_000)).ok).toBe(false);
    });

    it('holds a retried reserve (same id) once', async () => {
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([team], 300, id, 60_000);
      expect(await store.reserve([team], 300, id, 60_000)).toMatchObject({ ok: true, usage: [{ reservedNanos: 300 }] });
      await store.settle(id, 300);
      expect(await store.usage(team)).toMatchObject({ spentNanos: 300, reservedNanos: 0 });
    });

    it('keeps counters of the same id apart by period', async () => {
      const daily = scope('team', 1_000, true, 'day');
      const monthly: BudgetScope = { ...daily, period: 'month', limitNanos: 5_000 };
      const id = nextId();
      await store.reserve([daily, monthly], 400, id, 60_000);
      await store.settle(id, 400);
      expect(await store.usage(daily)).toMatchObject({ spentNanos: 400 });
      expect(await store.usage(monthly)).toMatchObject({ spentNanos: 400 });
      expect(await store.usage({ ...daily, period: 'week' })).toMatchObject({ spentNanos: 0 });
    });

    it('lets exactly as many concurrent reservations through as fit', async () => {
      const team = scope('team', 10_000);
      const results = await Promise.all(Array.from({ length: 60 }, () => store.reserve([team], 700, nextId(), 60_000)));
      expect(results.filter((result) => result.ok)).toHaveLength(14);
      expect(await store.usage(team)).toMatchObject({ reservedNanos: 9_800 });
    });

    it('extends a reservation, all or nothing', async () => {
      const key = scope('key', 10_000);
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([key, team], 600, id, 60_000);
      expect(await store.extend(id, 300, 60_000)).toMatchObject({ ok: true, usage: [{ reservedNanos: 900 }, { reservedNanos: 900 }] });
      const refused = await store.extend(id, 200, 60_000);
      expect(refused).toMatchObject({ ok: false, scope: team, limitNanos: 1_000, spentNanos: 0, reservedNanos: 900 });
      expect(await store.usage(key)).toMatchObject({ reservedNanos: 900 });
      await store.settle(id, 850);
      expect(await store.usage(key)).toMatchObject({ spentNanos: 850, reservedNanos: 0 });
      expect(await store.usage(team)).toMatchObject({ spentNanos: 850, reservedNanos: 0 });
    });

    it('holds a forced extension past a hard limit (money already billed), so the next reservation is refused', async () => {
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([team], 400, id, 60_000);
      expect(await store.extend(id, 4_600, 60_000, { force: true })).toMatchObject({ ok: true, usage: [{ reservedNanos: 5_000 }] });
      expect(await store.reserve([team], 1, nextId(), 60_000)).toMatchObject({ ok: false, reservedNanos: 5_000 });
      await store.settle(id, 5_000);
      expect(await store.usage(team)).toMatchObject({ spentNanos: 5_000, reservedNanos: 0 });
    });

    it('refuses to extend a reservation that was settled or released', async () => {
      const team = scope('team', 1_000);
      const id = nextId();
      await store.reserve([team], 100, id, 60_000);
      await store.release(id);
      await expect(store.extend(id, 10, 60_000)).rejects.toMatchObject({ code: 'internal_error' });
    });

    it('rejects malformed input', async () => {
      const team = scope('team', 1_000);
      await expect(store.reserve([team], -1, nextId(), 60_000)).rejects.toThrow(RangeError);
      await expect(store.reserve([team], 1.5, nextId(), 60_000)).rejects.toThrow(RangeError);
      await expect(store.reserve([team, { ...team }], 1, nextId(), 60_000)).rejects.toThrow(/twice/);
      await expect(store.reserve([team], 1, nextId(), 0)).rejects.toThrow(RangeError);
    });

    describe('expiry', () => {
      it('stops counting a reservation after its TTL, so a crashed caller cannot leak it', async () => {
        const team = scope('team', 1_000);
        await store.reserve([team], 900, nextId(), 300);
        expect((await store.reserve([team], 200, nextId(), 300)).ok).toBe(false);
        await harness.elapse(450);
        expect(await store.usage(team)).toMatchObject({ spentNanos: 0, reservedNanos: 0 });
        expect((await store.reserve([team], 1_000, nextId(), 60_000)).ok).toBe(true);
      });

      it('still records the cost when a settle arrives after the TTL', async () => {
        const team = scope('team', 1_000);
        const id = nextId();
        await store.reserve([team], 400, id, 300);
        await harness.elapse(450);
        expect(await store.settle(id, 350)).toMatchObject({ settled: true, usage: [{ spentNanos: 350, reservedNanos: 0 }] });
        expect(await store.settle(id, 350)).toMatchObject({ settled: false });
      });

      it('keeps a reservation alive while it is extended (a heartbeat for long streams)', async () => {
        const team = scope('team', 1_000);
        const id = nextId();
        await store.reserve([team], 500, id, 2_000);
        await harness.elapse(1_200);
        expect((await store.extend(id, 0, 2_000)).ok).toBe(true);
        await harness.elapse(1_200);
        expect(await store.usage(team)).toMatchObject({ reservedNanos: 500 });
        await store.release(id);
        expect(await store.usage(team)).toMatchObject({ reservedNanos: 0 });
      });

      it('holds an expired reservation again in full when it is extended', async () => {
        const team = scope('team', 1_000);
        const id = nextId();
        await store.reserve([team], 600, id, 300);
        await harness.elapse(450);
        await store.reserve([team], 300, nextId(), 60_000);
        expect(await store.extend(id, 200, 60_000)).toMatchObject({ ok: false, reservedNanos: 300 });
        expect(await store.extend(id, 100, 60_000)).toMatchObject({ ok: true, usage: [{ reservedNanos: 1_000 }] });
      });
    });

    describe('claims', () => {
      it('grants a claim once until it lapses or is given back', async () => {
        const key = `alert|${nextId()}`;
        // Far enough ahead for both a fake clock and a real one.
        const until = Date.now() + 30 * DAY_MS;
        expect(await store.claimOnce(key, until)).toBe(true);
        expect(await Promise.all([store.claimOnce(key, until), store.claimOnce(key, until)])).toEqual([false, false]);
        expect(await store.claimOnce(`${key}-other`, until)).toBe(true);
        await store.releaseClaim(key);
        expect(await store.claimOnce(key, until)).toBe(true);
      });
    });

    describe('periods', () => {
      it('starts every period from zero, and settles a reservation into the period it was made in', async () => {
        const key = scope('key', 1_000, true, 'day');
        const old = nextId();
        await store.reserve([key], 900, old, 3 * DAY_MS);
        const before = await store.usage(key);
        harness.jumpPeriodClock(DAY_MS + HOUR_MS);
        const after = await store.usage(key);
        expect(after.periodId).not.toBe(before.periodId);
        expect(after).toMatchObject({ spentNanos: 0, reservedNanos: 0 });
        expect((await store.reserve([key], 1_000, nextId(), 60_000)).ok).toBe(true);
        const settled = await store.settle(old, 700);
        expect(settled.usage[0]).toMatchObject({ periodId: before.periodId, spentNanos: 700, reservedNanos: 0 });
        expect(await store.usage(key)).toMatchObject({ periodId: after.periodId, spentNanos: 0, reservedNanos: 1_000 });
      });
    });
  });
}
