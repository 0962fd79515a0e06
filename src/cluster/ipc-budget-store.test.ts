import { describe, expect, it } from 'vitest';
import { describeBudgetStoreConformance } from '../budget/budget-store.case.js';
import { createMemoryBudgetStore } from '../budget/memory-budget-store.js';
import { loopbackChannels } from './ipc-channel.js';
import { createIpcBudgetStore, serveBudgetStore } from './ipc-budget-store.js';
import { createIpcPeer } from './ipc-peer.js';

function fakeClock(start = Date.UTC(2026, 10, 23, 12)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** A worker's store over a JSON pipe to the primary's memory store, as `frugal serve --workers 2` runs them. */
function workerStores(count: number, now: () => number) {
  const primaryStore = createMemoryBudgetStore({ now });
  const workers = Array.from({ length: count }, () => {
    const pipe = loopbackChannels();
    serveBudgetStore(createIpcPeer(pipe.left), primaryStore);
    return { store: createIpcBudgetStore(createIpcPeer(pipe.right)), pipe };
  });
  return { primaryStore, workers };
}

describeBudgetStoreConformance('ipc to the primary', async () => {
  const clock = fakeClock();
  const { workers } = workerStores(1, clock.now);
  return {
    store: workers[0].store,
    elapse: async (ms) => {
      clock.advance(ms);
    },
    jumpPeriodClock: (ms) => {
      clock.advance(ms);
    },
    cleanUp: async () => workers[0].pipe.close(),
  };
});

describe('createIpcBudgetStore', () => {
  it('lets two workers together fill a hard budget exactly once', async () => {
    const { workers } = workerStores(2, Date.now);
    const team = { id: 'team:growth', limitNanos: 10_000, period: 'day', hard: true } as const;
    const attempts = Array.from({ length: 40 }, (_, index) => workers[index % 2].store.reserve([team], 1_000, `r${index}`, 60_000));
    const results = await Promise.all(attempts);
    expect(results.filter((result) => result.ok)).toHaveLength(10);
    expect(await workers[1].store.usage(team)).toMatchObject({ reservedNanos: 10_000 });
  });

  it('rejects its calls once the primary is gone, instead of waiting forever', async () => {
    const { workers } = workerStores(1, Date.now);
    workers[0].pipe.close();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(workers[0].store.usage({ id: 'global', limitNanos: 1, period: 'day', hard: true })).rejects.toMatchObject({ code: 'internal_error' });
  });
});
