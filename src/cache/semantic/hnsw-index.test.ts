import { describe, expect, it } from 'vitest';
import { normaliseInPlace } from './embedder.js';
import { HnswGraph } from './hnsw-graph.js';
import { createHnswIndex } from './hnsw-index.js';

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Clustered unit vectors, like embeddings of related questions (sparse when `sparse` is set). */
function vectors(count: number, dimensions: number, random: () => number, sparse = false): Float32Array[] {
  const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: dimensions }, () => random() - 0.5));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * centres.length)];
    const vector = Float32Array.from(centre, (value) => value + (random() - 0.5) * 0.6);
    if (sparse) for (let i = 0; i < dimensions; i += 1) if (random() < 0.85) vector[i] = 0;
    return normaliseInPlace(vector);
  });
}

function bruteForce(stored: Float32Array[], query: Float32Array): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const vector of stored) {
    let sum = 0;
    for (let i = 0; i < vector.length; i += 1) sum += vector[i] * query[i];
    best = Math.max(best, sum);
  }
  return best;
}

const NOW = 1_000_000;
const LATER = NOW + 60_000;

describe('createHnswIndex: small buckets (exact scan)', () => {
  const random = seeded(1);
  const [a, b, c] = vectors(3, 32, random);

  it('finds the most similar entry with its cosine similarity', () => {
    const index = createHnswIndex({ dimensions: 32 });
    index.add('a', 'bucket', a, LATER);
    index.add('b', 'bucket', b, LATER);
    const [best] = index.search('bucket', a, { now: NOW });
    expect(best.id).toBe('a');
    expect(best.similarity).toBeCloseTo(1, 5);
  });

  it('never returns an entry of another bucket, however similar', () => {
    const index = createHnswIndex({ dimensions: 32 });
    index.add('other', 'conversation-2', a, LATER);
    expect(index.search('conversation-1', a, { now: NOW })).toEqual([]);
    index.add('mine', 'conversation-1', b, LATER);
    expect(index.search('conversation-1', a, { now: NOW, k: 5 }).map((match) => match.id)).toEqual(['mine']);
  });

  it('honours k and minSimilarity, most similar first', () => {
    const index = createHnswIndex({ dimensions: 32 });
    for (const [id, vector] of [['a', a], ['b', b], ['c', c]] as const) index.add(id, 'bucket', vector, LATER);
    const all = index.search('bucket', a, { now: NOW, k: 3 });
    expect(all.map((match) => match.id)[0]).toBe('a');
    expect(all).toHaveLength(3);
    expect(all[0].similarity >= all[1].similarity && all[1].similarity >= all[2].similarity).toBe(true);
    expect(index.search('bucket', a, { now: NOW, k: 3, minSimilarity: 0.999 }).map((match) => match.id)).toEqual(['a']);
  });

  it('hides expired entries and prunes them', () => {
    const index = createHnswIndex({ dimensions: 32 });
    index.add('old', 'bucket', a, NOW + 10);
    index.add('new', 'bucket', b, LATER);
    expect(index.search('bucket', a, { now: NOW + 10, k: 2 }).map((match) => match.id)).toEqual(['new']);
    expect(index.prune(NOW + 10)).toBe(1);
    expect(index.size).toBe(1);
  });

  it('deletes and replaces entries by id', () => {
    const index = createHnswIndex({ dimensions: 32 });
    index.add('x', 'bucket', a, LATER);
    index.add('x', 'bucket', b, LATER);
    expect(index.size).toBe(1);
    expect(index.search('bucket', b, { now: NOW })[0].similarity).toBeCloseTo(1, 5);
    expect(index.delete('x')).toBe(true);
    expect(index.delete('x')).toBe(false);
    expect(index.search('bucket', b, { now: NOW })).toEqual([]);
  });

  it('drops the oldest entries beyond maxEntries', () => {
    const index = createHnswIndex({ dimensions: 32, maxEntries: 2 });
    index.add('first', 'bucket', a, LATER);
    index.add('second', 'bucket', b, LATER);
    index.add('third', 'bucket', c, LATER);
    expect(index.size).toBe(2);
    expect(index.search('bucket', a, { now: NOW, k: 3 }).map((match) => match.id).sort()).toEqual(['second', 'third']);
  });

  it('rejects a vector of the wrong size', () => {
    expect(() => createHnswIndex({ dimensions: 32 }).add('x', 'bucket', new Float32Array(16), LATER)).toThrow(RangeError);
  });
});

describe('createHnswIndex: large buckets (HNSW graph)', () => {
  for (const sparse of [false, true]) {
    it(`finds the true nearest neighbour for at least 95% of queries (${sparse ? 'sparse' : 'dense'} vectors)`, () => {
      const random = seeded(sparse ? 3 : 2);
      const stored = vectors(2_000, 64, random, sparse);
      const queries = vectors(200, 64, random, sparse);
      const index = createHnswIndex({ dimensions: 64, exactScanLimit: 100, random: seeded(4) });
      stored.forEach((vector, i) => index.add(`e${i}`, 'bucket', vector, LATER));
      let found = 0;
      for (const query of queries) {
        const [best] = index.search('bucket', query, { now: NOW });
        if (Math.abs(best.similarity - bruteForce(stored, query)) < 1e-5) found += 1;
      }
      expect(found / queries.length).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('finds every stored vector itself, and none after it is deleted', () => {
    const random = seeded(5);
    const stored = vectors(500, 32, random);
    const index = createHnswIndex({ dimensions: 32, exactScanLimit: 50, random: seeded(6) });
    stored.forEach((vector, i) => index.add(`e${i}`, 'bucket', vector, LATER));
    expect(stored.every((vector, i) => index.search('bucket', vector, { now: NOW })[0].id === `e${i}`)).toBe(true);
    for (let i = 0; i < 100; i += 1) index.delete(`e${i}`);
    const returned = new Set(stored.map((vector) => index.search('bucket', vector, { now: NOW, k: 3 })).flat().map((match) => match.id));
    for (let i = 0; i < 100; i += 1) expect(returned.has(`e${i}`)).toBe(false);
    expect(stored.slice(100).every((vector, i) => index.search('bucket', vector, { now: NOW })[0].id === `e${i + 100}`)).toBe(true);
  });

  it('keeps answering correctly after tombstones force a rebuild', () => {
    const random = seeded(7);
    const stored = vectors(400, 32, random);
    const index = createHnswIndex({ dimensions: 32, exactScanLimit: 50, random: seeded(8) });
    stored.forEach((vector, i) => index.add(`e${i}`, 'bucket', vector, LATER));
    for (let i = 0; i < 300; i += 1) index.delete(`e${i}`);
    expect(index.size).toBe(100);
    expect(stored.slice(300).every((vector, i) => index.search('bucket', vector, { now: NOW })[0].id === `e${i + 300}`)).toBe(true);
  });
});

describe('createHnswIndex: rebuilding a few entries per write', () => {
  it('finds every live entry at every step while a bucket moves from a flat list to a graph and sheds tombstones', () => {
    const stored = vectors(300, 32, seeded(11));
    const index = createHnswIndex({ dimensions: 32, exactScanLimit: 40, migrationStep: 2, random: seeded(12) });
    const live = new Set<number>();
    const check = () => {
      for (const i of live) expect(index.search('bucket', stored[i], { now: NOW })[0]?.id).toBe(`e${i}`);
    };
    stored.forEach((vector, i) => {
      index.add(`e${i}`, 'bucket', vector, LATER);
      live.add(i);
      if (i % 25 === 0) check();
      // Delete every third entry as we go, so tombstones pile up during the moves.
      if (i % 3 === 0) {
        index.delete(`e${i}`);
        live.delete(i);
      }
    });
    check();
    expect(index.size).toBe(live.size);
    const deleted = [...Array(300).keys()].filter((i) => !live.has(i));
    for (const i of deleted) expect(index.search('bucket', stored[i], { now: NOW, k: 3 }).some((match) => match.id === `e${i}`)).toBe(false);
  });
});

describe('HnswGraph', () => {
  it('builds the same graph for the same seed (reproducible)', () => {
    const stored = vectors(300, 16, seeded(9));
    const search = () => {
      const graph = new HnswGraph(16, { random: seeded(10) });
      for (const vector of stored) graph.add(vector);
      return stored.slice(0, 20).map((vector) => graph.search(vector, 3).map((match) => match.slot));
    };
    expect(search()).toEqual(search());
  });
});
