import { HnswGraph, type HnswGraphOptions } from './hnsw-graph.js';
import { PackedVectors } from './packed-vectors.js';
import type { VectorIndex, VectorMatch, VectorSearchOptions } from './vector-index.js';

export interface HnswIndexOptions extends HnswGraphOptions {
  dimensions: number;
  /** A bucket is scanned exactly until it holds this many live entries, then gets an HNSW graph. */
  exactScanLimit?: number;
  /** Entries kept at most; the oldest added go first. Memory: ~0.7 KB per hashed-text entry, 4 B × dims + 0.3 KB per dense one. */
  maxEntries?: number;
}

/** The entries of one context fingerprint: a flat list while small, an HNSW graph once large. */
class Bucket {
  storage: PackedVectors | HnswGraph;
  ids: Array<string | undefined> = [];
  expiresAt: number[] = [];
  live = 0;

  constructor(
    readonly name: string,
    private readonly options: HnswIndexOptions & { exactScanLimit: number },
  ) {
    this.storage = new PackedVectors(options.dimensions);
  }

  get graph(): HnswGraph | undefined {
    return this.storage instanceof HnswGraph ? this.storage : undefined;
  }

  add(id: string, vector: Float32Array, expiresAt: number): number {
    const slot = this.storage.add(vector);
    this.ids[slot] = id;
    this.expiresAt[slot] = expiresAt;
    this.live += 1;
    return slot;
  }

  remove(slot: number): void {
    this.ids[slot] = undefined;
    this.graph?.markDeleted(slot);
    this.live -= 1;
  }

  /** Whether the storage should be rebuilt: a small bucket grew past the scan limit, or half is tombstones. */
  needsRebuild(): boolean {
    const total = this.ids.length;
    if (this.graph === undefined) return this.live > this.options.exactScanLimit || (total > 64 && this.live * 2 < total);
    return total > 64 && this.live * 2 < total;
  }

  /** Re-adds the live entries to fresh storage; returns the new slot of each id. */
  rebuild(): Map<string, number> {
    const old = { storage: this.storage, ids: this.ids, expiresAt: this.expiresAt };
    this.storage = this.live > this.options.exactScanLimit ? new HnswGraph(this.options.dimensions, this.options) : new PackedVectors(this.options.dimensions);
    this.ids = [];
    this.expiresAt = [];
    this.live = 0;
    const slots = new Map<string, number>();
    old.ids.forEach((id, slot) => {
      if (id !== undefined) slots.set(id, this.add(id, old.storage.vectorAt(slot), old.expiresAt[slot]));
    });
    return slots;
  }

  search(vector: Float32Array, k: number, minSimilarity: number, now: number): VectorMatch[] {
    const graph = this.graph;
    const matches: VectorMatch[] = [];
    if (graph !== undefined) {
      // Ask for a few extra: expired entries are still in the graph until the next prune.
      for (const { slot, similarity } of graph.search(vector, k + 4)) {
        if (similarity < minSimilarity || this.expiresAt[slot] <= now) continue;
        matches.push({ id: this.ids[slot]!, similarity });
        if (matches.length === k) break;
      }
      return matches;
    }
    const storage = this.storage as PackedVectors;
    for (let slot = 0; slot < this.ids.length; slot += 1) {
      const id = this.ids[slot];
      if (id === undefined || this.expiresAt[slot] <= now) continue;
      const similarity = storage.dot(vector, slot);
      if (similarity >= minSimilarity) matches.push({ id, similarity });
    }
    return matches.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }
}

/**
 * The in-memory {@link VectorIndex}: one bucket per context fingerprint. Most buckets (a conversation's
 * follow-ups) hold a handful of entries and are scanned exactly; a bucket that grows past
 * `exactScanLimit` (typically first questions under one system prompt) gets an HNSW graph, which keeps
 * lookups around a millisecond at 100 000 entries (see bench/cache). Deletion leaves tombstones that a
 * rebuild clears once they are half the bucket.
 *
 * @example
 * const index = createHnswIndex({ dimensions: embedder.dimensions });
 * index.add('entry-1', fingerprint, vector, Date.now() + 3_600_000);
 * const [best] = index.search(fingerprint, query, { minSimilarity: 0.95, now: Date.now() });
 */
export function createHnswIndex(options: HnswIndexOptions): VectorIndex {
  const settings = { ...options, exactScanLimit: options.exactScanLimit ?? 1_000 };
  const maxEntries = options.maxEntries ?? 100_000;
  const buckets = new Map<string, Bucket>();
  // Insertion-ordered, so the first key is the oldest entry when the index is full.
  const entries = new Map<string, { bucket: Bucket; slot: number }>();

  const remove = (id: string): boolean => {
    const entry = entries.get(id);
    if (entry === undefined) return false;
    entries.delete(id);
    entry.bucket.remove(entry.slot);
    if (entry.bucket.live === 0) buckets.delete(entry.bucket.name);
    else if (entry.bucket.needsRebuild()) rebuild(entry.bucket);
    return true;
  };

  const rebuild = (bucket: Bucket) => {
    for (const [id, slot] of bucket.rebuild()) entries.get(id)!.slot = slot;
  };

  return {
    get size() {
      return entries.size;
    },
    add(id, bucketName, vector, expiresAt) {
      if (vector.length !== options.dimensions) throw new RangeError(`Expected ${options.dimensions} dimensions, got ${vector.length}.`);
      remove(id);
      while (entries.size >= maxEntries) remove(entries.keys().next().value!);
      let bucket = buckets.get(bucketName);
      if (bucket === undefined) {
        bucket = new Bucket(bucketName, settings);
        buckets.set(bucketName, bucket);
      }
      entries.set(id, { bucket, slot: bucket.add(id, vector, expiresAt) });
      if (bucket.needsRebuild()) rebuild(bucket);
    },
    search(bucketName, vector, searchOptions: VectorSearchOptions) {
      const bucket = buckets.get(bucketName);
      if (bucket === undefined) return [];
      return bucket.search(vector, searchOptions.k ?? 1, searchOptions.minSimilarity ?? Number.NEGATIVE_INFINITY, searchOptions.now);
    },
    delete: remove,
    prune(now) {
      const expired: string[] = [];
      for (const [id, { bucket, slot }] of entries) if (bucket.expiresAt[slot] <= now) expired.push(id);
      for (const id of expired) remove(id);
      return expired.length;
    },
  };
}
