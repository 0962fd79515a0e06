import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow } from './ledger-row.js';
import type { LedgerStore } from './ledger-store.js';
import { ledgerWorkload } from './ledger-store.case.js';
import { createLedgerWriter } from './ledger-writer.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';

const dirs: string[] = [];
const stores: LedgerStore[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const store of stores.splice(0)) await store.close();
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A real SQLite store whose next `failures` inserts fail, as a database that is down for a moment. */
async function flakyStore(failures = 0) {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-writer-'));
  dirs.push(dir);
  const real = createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
  stores.push(real);
  await real.migrate();
  const state = { failuresLeft: failures, batchSizes: [] as number[], attempts: 0 };
  const store: LedgerStore = {
    ...real,
    async insert(rows) {
      state.attempts += 1;
      if (state.failuresLeft > 0) {
        state.failuresLeft -= 1;
        throw new FrugalError('internal_error', 'ledger (test): database is down');
      }
      state.batchSizes.push(rows.length);
      await real.insert(rows);
    },
  };
  const storedIds = async () => (await real.rows({})).map((row) => row.id);
  return { store, state, storedIds };
}

/** Rows sharing one timestamp, so the stored order is the insertion order alone. */
function rows(count: number, from = 0): LedgerRow[] {
  const [template] = ledgerWorkload();
  return Array.from({ length: count }, (_, i) => ({ ...template, id: `row-${from + i}` }));
}

function ids(count: number, from = 0) {
  return rows(count, from).map((row) => row.id);
}

describe('createLedgerWriter', () => {
  it('buffers on record without touching the store, then writes in batches of maxBatch, in order', async () => {
    const { store, state, storedIds } = await flakyStore();
    const writer = createLedgerWriter(store, { maxBatch: 3, maxBuffered: 10, flushIntervalMs: 3_600_000 });
    for (const row of rows(2)) writer.record(row);
    expect(writer.pending()).toBe(2);
    expect(state.attempts).toBe(0);
    for (const row of rows(5, 2)) writer.record(row);
    await writer.flush();
    expect(state.batchSizes).toEqual([3, 3, 1]);
    expect(await storedIds()).toEqual(ids(7));
    expect(writer.pending()).toBe(0);
    await writer.close();
  });

  it('writes everything still buffered on close', async () => {
    const { store, storedIds } = await flakyStore();
    const writer = createLedgerWriter(store, { flushIntervalMs: 3_600_000 });
    for (const row of rows(42)) writer.record(row);
    await writer.close();
    expect(await storedIds()).toEqual(ids(42));
  });

  it('keeps the rows of a failed write and writes them once, first, when the store is back', async () => {
    const { store, state, storedIds } = await flakyStore(2);
    const writer = createLedgerWriter(store, { maxBatch: 4, flushIntervalMs: 3_600_000 });
    for (const row of rows(6)) writer.record(row);
    await expect(writer.flush()).rejects.toMatchObject({ code: 'internal_error' });
    for (const row of rows(3, 6)) writer.record(row);
    await expect(writer.flush()).rejects.toThrow(/database is down/);
    expect(writer.pending()).toBe(9);
    expect(await storedIds()).toEqual([]);
    await writer.flush();
    expect(await storedIds()).toEqual(ids(9));
    expect(state.batchSizes).toEqual([4, 4, 1]);
    expect(writer.pending()).toBe(0);
  });

  it('writes on the timer, reports a failed timed write, and backs off before retrying', async () => {
    vi.useFakeTimers();
    let clock = 0;
    const errors: unknown[] = [];
    const { store, state, storedIds } = await flakyStore(1);
    const writer = createLedgerWriter(store, { flushIntervalMs: 250, now: () => clock, onError: (error) => errors.push(error) });
    writer.record(rows(1)[0]);
    clock = 250;
    await vi.advanceTimersByTimeAsync(250);
    expect(state.attempts).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrugalError);
    // First retry waits 2 × 250 ms: the tick at 500 ms is skipped.
    clock = 500;
    await vi.advanceTimersByTimeAsync(250);
    expect(state.attempts).toBe(1);
    clock = 750;
    await vi.advanceTimersByTimeAsync(250);
    expect(state.attempts).toBe(2);
    expect(await storedIds()).toEqual(ids(1));
    expect(errors).toHaveLength(1);
    await writer.close();
  });

  it('starts writing as soon as a batch fills, without waiting for the timer', async () => {
    const { store, storedIds } = await flakyStore();
    const writer = createLedgerWriter(store, { maxBatch: 5, flushIntervalMs: 3_600_000 });
    for (const row of rows(5)) writer.record(row);
    expect(await storedIds()).toEqual([]);
    await vi.waitFor(async () => expect(await storedIds()).toEqual(ids(5)));
    await writer.close();
  });

  it('drops the oldest rows past maxBuffered and says how many', async () => {
    const { store, storedIds } = await flakyStore(1);
    const errors: unknown[] = [];
    const writer = createLedgerWriter(store, { maxBatch: 3, maxBuffered: 5, flushIntervalMs: 3_600_000, onError: (error) => errors.push(error) });
    for (const row of rows(2)) writer.record(row);
    await expect(writer.flush()).rejects.toThrow(/database is down/);
    // Two rows wait in the failed batch; the queue holds at most five more.
    for (const row of rows(8, 2)) writer.record(row);
    expect(writer.pending()).toBe(7);
    await writer.flush();
    expect(await storedIds()).toEqual(['row-0', 'row-1', ...ids(5, 5)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'internal_error', message: expect.stringMatching(/dropped the 3 oldest rows/) });
  });

  it('drops a row the database would refuse (reported) instead of retrying it forever', async () => {
    const { store, storedIds } = await flakyStore();
    const errors: unknown[] = [];
    const writer = createLedgerWriter(store, { flushIntervalMs: 3_600_000, onError: (error) => errors.push(error) });
    const [first, second, third] = rows(3);
    writer.record(first);
    writer.record({ ...second, latencyMs: Number.NaN });
    writer.record(third);
    await writer.flush();
    expect(await storedIds()).toEqual(['row-0', 'row-2']);
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toContain('row-1');
  });

  it('refuses rows after close, reporting each one', async () => {
    const { store, storedIds } = await flakyStore();
    const errors: unknown[] = [];
    const writer = createLedgerWriter(store, { onError: (error) => errors.push(error) });
    await writer.close();
    writer.record(rows(1)[0]);
    expect(writer.pending()).toBe(0);
    expect(errors).toHaveLength(1);
    expect(await storedIds()).toEqual([]);
  });

  it('rejects close when the store stays down, keeping the rows', async () => {
    const { store } = await flakyStore(1);
    const writer = createLedgerWriter(store, { flushIntervalMs: 3_600_000 });
    for (const row of rows(3)) writer.record(row);
    await expect(writer.close()).rejects.toThrow(/3 rows could not be written/);
    expect(writer.pending()).toBe(3);
  });

  it('serialises concurrent flushes: every row written once, in record order', async () => {
    const { store, storedIds } = await flakyStore();
    const writer = createLedgerWriter(store, { maxBatch: 2, flushIntervalMs: 3_600_000 });
    const flushes: Array<Promise<void>> = [];
    for (const row of rows(9)) {
      writer.record(row);
      flushes.push(writer.flush());
    }
    await Promise.all(flushes);
    expect(await storedIds()).toEqual(ids(9));
  });

  it('yields to the event loop between batches, so a backlog does not stall requests', async () => {
    const { store: flaky } = await flakyStore();
    const events: string[] = [];
    const store: LedgerStore = { ...flaky, insert: async (batch) => { events.push(`insert ${batch.length}`); await flaky.insert(batch); } };
    const writer = createLedgerWriter(store, { maxBatch: 2, maxBuffered: 10, flushIntervalMs: 3_600_000 });
    for (const row of rows(6)) writer.record(row);
    const flushed = writer.flush();
    setImmediate(() => events.push('a request'));
    await flushed;
    expect(events).toEqual(['insert 2', 'a request', 'insert 2', 'insert 2']);
  });

  it('refuses a maxBuffered smaller than one batch', () => {
    const store = {} as LedgerStore;
    expect(() => createLedgerWriter(store, { maxBatch: 10, maxBuffered: 5 })).toThrow(FrugalError);
  });
});
