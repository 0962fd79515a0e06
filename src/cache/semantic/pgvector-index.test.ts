import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../wire/chat-types.js';
import { sampleEntry } from '../cache-store.case.js';
import { createMemoryCacheStore } from '../memory-cache-store.js';
import { createOfflineEmbedder } from './offline-embedder.js';
import { createPgVectorIndex, type SqlQuery } from './pgvector-index.js';
import { createSemanticCache } from './semantic-cache.js';

const DIMS = 32;
const NOW = 1_763_856_000_000;
const HOUR = 3_600_000;

/** mulberry32: the same vectors on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function unitVector(random: () => number, dims = DIMS): Float32Array {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i += 1) {
    v[i] = random() * 2 - 1;
    norm += v[i] * v[i];
  }
  for (let i = 0; i < dims; i += 1) v[i] /= Math.sqrt(norm);
  return v;
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

let db: PGlite;
let tables = 0;
/** A fresh table per test: they share one in-process database. */
async function freshIndex(dimensions = DIMS) {
  tables += 1;
  const index = createPgVectorIndex({ client: db, dimensions, table: `vectors_${tables}` });
  await index.migrate();
  return index;
}

beforeAll(async () => {
  db = new PGlite({ extensions: { vector } });
  await db.waitReady;
});
afterAll(async () => {
  await db.close();
});

describe('createPgVectorIndex', () => {
  /** 200 seeded unit vectors in `buckets` buckets; checks top-3 of 20 queries against a brute-force cosine scan. */
  async function checkAgainstBruteForce(index: Awaited<ReturnType<typeof freshIndex>>, buckets: number, seed: number, beforeSearching = async () => {}) {
    const random = seededRandom(seed);
    const entries = Array.from({ length: 200 }, (_, i) => ({ id: `e${i}`, bucket: `b${i % buckets}`, vector: unitVector(random) }));
    for (const entry of entries) await index.add(entry.id, entry.bucket, entry.vector, NOW + HOUR);
    await beforeSearching();
    for (let q = 0; q < 20; q += 1) {
      const query = unitVector(random);
      const bucket = `b${q % buckets}`;
      const expected = entries
        .filter((entry) => entry.bucket === bucket)
        .map((entry) => ({ id: entry.id, similarity: cosine(query, entry.vector) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, 3);
      const found = await index.search(bucket, query, { k: 3, now: NOW });
      expect(found.map((match) => match.id)).toEqual(expected.map((match) => match.id));
      found.forEach((match, i) => expect(match.similarity).toBeCloseTo(expected[i].similarity, 5));
    }
  }

  it('finds the same nearest neighbours as a brute-force cosine scan, bucket by bucket', async () => {
    await checkAgainstBruteForce(await freshIndex(), 10, 42);
  });

  it('still fills k in a small bucket when the planner scans the HNSW index over every bucket', async () => {
    const index = await freshIndex();
    // As on a large table where the HNSW scan is cheapest: 50 buckets of 4, so most of the scan's first
    // ef_search (40) candidates belong to other buckets and only an iterative scan finds 3 of ours.
    await db.exec(`DROP INDEX vectors_${tables}_bucket_idx; DROP INDEX vectors_${tables}_expires_idx; SET enable_seqscan = off`);
    try {
      await checkAgainstBruteForce(index, 50, 43, async () => {
        const plan = await db.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT id FROM vectors_${tables} WHERE bucket = 'b3' AND expires_at > 0 ORDER BY embedding <=> '[${new Float32Array(DIMS).fill(0.1).join(',')}]' LIMIT 3`,
        );
        expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(`Index Scan using vectors_${tables}_embedding_idx`);
      });
    } finally {
      await db.exec('RESET enable_seqscan');
    }
  });

  it('keeps buckets apart and applies minSimilarity', async () => {
    const index = await freshIndex();
    const random = seededRandom(7);
    const v = unitVector(random);
    await index.add('a', 'tenant-a', v, NOW + HOUR);
    expect(await index.search('tenant-b', v, { k: 3, now: NOW })).toEqual([]);
    const [hit] = await index.search('tenant-a', v, { k: 3, minSimilarity: 0.999, now: NOW });
    expect(hit.id).toBe('a');
    expect(hit.similarity).toBeCloseTo(1, 5);
    expect(await index.search('tenant-a', unitVector(random), { minSimilarity: 0.99, now: NOW })).toEqual([]);
  });

  it('never returns expired entries, and prune deletes them and counts them', async () => {
    const index = await freshIndex();
    const random = seededRandom(9);
    const v = unitVector(random);
    await index.add('short', 'b', v, NOW + 1_000);
    await index.add('long', 'b', unitVector(random), NOW + HOUR);
    expect((await index.search('b', v, { k: 5, now: NOW })).map((m) => m.id)).toContain('short');
    expect((await index.search('b', v, { k: 5, now: NOW + 1_000 })).map((m) => m.id)).toEqual(['long']);
    expect(await index.prune(NOW + 1_000)).toBe(1);
    expect(await index.prune(NOW + 1_000)).toBe(0);
    expect((await db.query(`SELECT id FROM vectors_${tables}`)).rows).toEqual([{ id: 'long' }]);
  });

  it('replaces an entry added again under the same id (vector, bucket and expiry)', async () => {
    const index = await freshIndex();
    const random = seededRandom(11);
    const first = unitVector(random);
    const second = unitVector(random);
    await index.add('x', 'b1', first, NOW + HOUR);
    await index.add('x', 'b2', second, NOW + 2 * HOUR);
    expect(await index.search('b1', first, { now: NOW })).toEqual([]);
    const [hit] = await index.search('b2', second, { now: NOW + HOUR });
    expect(hit.id).toBe('x');
    expect(hit.similarity).toBeCloseTo(1, 5);
    expect((await db.query(`SELECT count(*)::int AS n FROM vectors_${tables}`)).rows).toEqual([{ n: 1 }]);
  });

  it('deletes by id and says whether it was there', async () => {
    const index = await freshIndex();
    const v = unitVector(seededRandom(13));
    await index.add('x', 'b', v, NOW + HOUR);
    expect(await index.delete('x')).toBe(true);
    expect(await index.delete('x')).toBe(false);
    expect(await index.search('b', v, { now: NOW })).toEqual([]);
  });

  it('rejects vectors of the wrong size, bad table names, and a table built for other dimensions', async () => {
    const index = await freshIndex();
    await expect(index.add('x', 'b', new Float32Array(DIMS + 1), NOW)).rejects.toThrow(RangeError);
    expect(() => createPgVectorIndex({ client: db, dimensions: DIMS, table: 'x; DROP TABLE y' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    await expect(createPgVectorIndex({ client: db, dimensions: DIMS * 2, table: `vectors_${tables}` }).migrate()).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('wraps database failures as retryable internal errors', async () => {
    const failing: SqlQuery = { query: () => Promise.reject(new Error('connection refused')) };
    const index = createPgVectorIndex({ client: failing, dimensions: DIMS });
    await expect(index.search('b', new Float32Array(DIMS), { now: NOW })).rejects.toMatchObject({ code: 'internal_error', retryable: true });
  });
});

describe('createSemanticCache over a pgvector index', () => {
  const france: ChatMessage[] = [
    { role: 'user', content: 'What is the capital of France?' },
    { role: 'assistant', content: 'Paris.' },
  ];
  const ask = (question: string): ChatRequest => ({ model: 'gpt-4o-mini', messages: [...france, { role: 'user', content: question }], temperature: 0 });

  async function gateways(count: number) {
    const embedder = createOfflineEmbedder();
    tables += 1;
    const table = `semantic_${tables}`;
    // One answer store, as a shared Redis would be; each gateway has its own index client over the one database.
    const store = createMemoryCacheStore({ now: () => NOW });
    const caches = [];
    for (let i = 0; i < count; i += 1) {
      const index = createPgVectorIndex({ client: db, dimensions: embedder.dimensions, table });
      await index.migrate();
      caches.push(createSemanticCache({ embedder, store, index, threshold: 0.9, now: () => NOW }));
    }
    return caches;
  }

  it('serves a repeated question and misses it under another scope', async () => {
    const [cache] = await gateways(1);
    await cache.store(ask('What famous landmark can you find in Paris?'), 'key:a', sampleEntry('The Eiffel Tower.'));
    const hit = await cache.lookup(ask('What famous landmark can you find in Paris?'), 'key:a');
    expect(hit?.entry.response.choices[0].message.content).toBe('The Eiffel Tower.');
    expect(hit?.similarity).toBeCloseTo(1, 5);
    expect(await cache.lookup(ask('What famous landmark can you find in Paris?'), 'key:b')).toBeUndefined();
    expect(await cache.lookup(ask('How many people live in Paris?'), 'key:a')).toBeUndefined();
  });

  it('lets one gateway serve what another stored: the index is shared', async () => {
    const [first, second] = await gateways(2);
    expect(await second.lookup(ask('What famous landmark can you find in Paris?'), 'key:a')).toBeUndefined();
    await first.store(ask('What famous landmark can you find in Paris?'), 'key:a', sampleEntry('The Eiffel Tower.'));
    const hit = await second.lookup(ask('what famous landmarks can you find in Paris'), 'key:a');
    expect(hit?.entry.response.choices[0].message.content).toBe('The Eiffel Tower.');
    expect(await second.lookup(ask('What famous landmark can you find in Paris?'), 'key:other')).toBeUndefined();
  });
});
