import { describe, expect, it } from 'vitest';
import { describeCacheStoreConformance, sampleEntry } from './cache-store.case.js';
import { createMemoryCacheStore } from './memory-cache-store.js';

function fakeClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describeCacheStoreConformance('memory', async () => {
  const clock = fakeClock();
  const store = createMemoryCacheStore({ now: clock.now });
  return {
    store,
    advanceSeconds: async (seconds) => {
      clock.advance(seconds * 1000);
    },
    // The memory store only holds JSON it wrote itself: a foreign value is an object that is not an entry.
    writeRaw: async (key, value) => {
      await store.set(key, JSON.parse(JSON.stringify({ broken: value })), 60);
    },
  };
});

describe('createMemoryCacheStore', () => {
  it('evicts the least recently used entries to stay within maxBytes', async () => {
    const entrySize = JSON.stringify(sampleEntry('x'.repeat(1_000))).length * 2;
    const store = createMemoryCacheStore({ maxBytes: entrySize * 3 + 1_000 });
    for (const key of ['k1', 'k2', 'k3']) await store.set(key, sampleEntry('x'.repeat(1_000)), 60);
    await store.get('k1'); // k1 is now the most recently used
    await store.set('k4', sampleEntry('x'.repeat(1_000)), 60);
    expect(await store.get('k2')).toBeUndefined();
    expect(await store.get('k1')).toBeDefined();
    expect(await store.get('k4')).toBeDefined();
  });

  it('skips an entry larger than the whole cache instead of flushing everything', async () => {
    const store = createMemoryCacheStore({ maxBytes: 10_000 });
    await store.set('small', sampleEntry('small'), 60);
    await store.set('huge', sampleEntry('x'.repeat(20_000)), 60);
    expect(await store.get('huge')).toBeUndefined();
    expect(await store.get('small')).toBeDefined();
  });

  it('uses the default TTL when set is given none', async () => {
    const clock = fakeClock();
    const store = createMemoryCacheStore({ now: clock.now, defaultTtlSeconds: 10 });
    await store.set('default-ttl', sampleEntry());
    clock.advance(9_000);
    expect(await store.get('default-ttl')).toBeDefined();
    clock.advance(2_000);
    expect(await store.get('default-ttl')).toBeUndefined();
  });
});
