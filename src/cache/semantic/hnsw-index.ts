import { HnswGraph, type HnswGraphOptions } from './hnsw-graph.js';
import { PackedVectors } from './packed-vectors.js';
import type { InMemoryVectorIndex, VectorMatch, VectorSearchOptions } from './vector-index.js';

export interface HnswIndexOptions extends HnswGraphOptions {
  dimensions: number;
  /** A bucket is scanned exactly until it holds this many live entries, then gets an HNSW graph. */
  exactScanLimit?: number;
  /** Entries kept at most; the oldest added go first. Memory: ~0.8 KB per hashed-text entry, 4 B × dims + 0.3 KB per dense one. */
  maxEntries?: number;
  /** Entries moved to a bucket's new storage per add or delete while it is being rebuilt. */
  migrationStep?: number;
}

/** Vectors with their ids and expiry times, in one storage (a flat list or a graph). */
class Shard {
  ids: Array<string | undefined> = [];
  expiresAt: number[] = [];
  live = 0;
  cursor = 0;

  constructor(readonly storage: PackedVectors | HnswGraph) {}

  add(id: string, vector: Float32Array, expiresAt: number): number {
    const slot = this.storage.add(vector);
    this.ids[slot] = id;
    this.expiresAt[slot] = expiresAt;
    this.live += 1;
    return slot;
  }

  remove(slot: number): void {
    this.ids[slot] = undefined;
    if (this.storage instanceof HnswGraph) this.storage.markDeleted(slot);
    this.live -= 1;
  }

  search(vector: Float32Array, k: number, minSimilarity: number, now: number, into: VectorMatch[]): void {
    if (this.storage instanceof HnswGraph) {
      // A few extra: expired entries stay in the graph until the next prune.
      for (const { slot, similarity } of this.storage.search(vector, k + 4)) {
        if (similarity >= minSimilarity && this.expiresAt[slot] > now) into.push({ id: this.ids[slot]!, similarity });
      }
      return;
    }
    for (let slot = 0; slot < this.ids.length; slot += 1) {
      const id = this.ids[slot];
      if (id === undefined || this.expiresAt[slot] <= now) continue;
      const similarity = this.storage.dot(vector, slot);
      if (similarity >= minSimilarity) into.push({ id, similarity });
    }
  }
}

interface Located {
  bucket: Bucket;
  shard: Shard;
  slot: number;
}

/**
 * The entries of one context fingerprint: a flat list while small, an HNSW graph once large.
 * Rebuilding (flat → graph, or dropping tombstones) never blocks: a new shard takes all new entries
 * while the old one, still searched, hands its entries over a few per write.
 */
class Bucket {
  current: Shard;
  retiring: Shard | undefined;

  constructor(
    readonly name: string,
    private readonly options: HnswIndexOptions & { exactScanLimit: number; migrationStep: number },
  ) {
    this.current = new Shard(new PackedVectors(options.dimensions));
  }

  get live(): number {
    return this.current.live + (this.retiring?.live ?? 0);
  }

  search(vector: Float32Array, k: number, minSimilarity: number, now: number): VectorMatch[] {
    const matches: VectorMatch[] = [];
    this.current.search(vector, k, minSimilarity, now, matches);
    this.retiring?.search(vector, k, minSimilarity, now, matches);
    return matches.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  /** Starts a rebuild when needed, and moves a few entries of one in progress; reports moved entries. */
  maintain(moved: (id: string, shard: Shard, slot: number) => void): void {
    if (this.retiring === undefined) {
      const shard = this.current;
      const total = shard.ids.length;
      const isGraph = shard.storage instanceof HnswGraph;
      const grewPastScan = !isGraph && shard.live > this.options.exactScanLimit;
      const mostlyTombstones = total > 64 && shard.live * 2 < total;
      if (!grewPastScan && !mostlyTombstones) return;
      this.retiring = shard;
      const graph = shard.live > this.options.exactScanLimit;
      this.current = new Shard(graph ? new HnswGraph(this.options.dimensions, this.options) : new PackedVectors(this.options.dimensions));
    }
    const retiring = this.retiring;
    for (let moves = 0; moves < this.options.migrationStep && retiring.cursor < retiring.ids.length; retiring.cursor += 1) {
      const slot = retiring.cursor;
      const id = retiring.ids[slot];
      if (id === undefined) continue;
      const newSlot = this.current.add(id, retiring.storage.vectorAt(slot), retiring.expiresAt[slot]);
      retiring.remove(slot);
      moved(id, this.current, newSlot);
      moves += 1;
    }
    if (retiring.cursor >= retiring.ids.length) this.retiring = undefined;
  }
}

/**
 * The in-memory {@link InMemoryVectorIndex}: one bucket per context fingerprint. Most buckets (a conversation's
 * follow-ups) hold a handful of entries and are scanned exactly; a bucket that grows past
 * `exactScanLimit` (typically first questions under one system prompt) gets an HNSW graph, which keeps
 * lookups around a millisecond at 100 000 entries (see bench/cache). Deleted and expired entries are
 * tombstones until a bucket is half tombstones; then it is rebuilt a few entries per write.
 *
 * @example
 * const index = createHnswIndex({ dimensions: embedder.dimensions });
 * index.add('entry-1', fingerprint, vector, Date.now() + 3_600_000);
 * const [best] = index.search(fingerprint, query, { minSimilarity: 0.95, now: Date.now() });
 */
export function createHnswIndex(options: HnswIndexOptions): InMemoryVectorIndex {
  const settings = { ...options, exactScanLimit: options.exactScanLimit ?? 1_000, migrationStep: options.migrationStep ?? 8 };
  const maxEntries = options.maxEntries ?? 100_000;
  const buckets = new Map<string, Bucket>();
  // Insertion-ordered, so the first key is the oldest entry when the index is full.
  const entries = new Map<string, Located>();

  const maintain = (bucket: Bucket) =>
    bucket.maintain((id, shard, slot) => {
      const located = entries.get(id)!;
      located.shard = shard;
      located.slot = slot;
    });

  const remove = (id: string, tidy = true): boolean => {
    const located = entries.get(id);
    if (located === undefined) return false;
    entries.delete(id);
    located.shard.remove(located.slot);
    if (located.bucket.live === 0) buckets.delete(located.bucket.name);
    else if (tidy) maintain(located.bucket);
    return true;
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
      const shard = bucket.current;
      entries.set(id, { bucket, shard, slot: shard.add(id, vector, expiresAt) });
      maintain(bucket);
    },
    search(bucketName, vector, searchOptions: VectorSearchOptions) {
      const bucket = buckets.get(bucketName);
      if (bucket === undefined) return [];
      return bucket.search(vector, searchOptions.k ?? 1, searchOptions.minSimilarity ?? Number.NEGATIVE_INFINITY, searchOptions.now);
    },
    delete: (id) => remove(id),
    prune(now) {
      const expired: string[] = [];
      for (const [id, { shard, slot }] of entries) if (shard.expiresAt[slot] <= now) expired.push(id);
      const touched = new Set<Bucket>();
      for (const id of expired) {
        touched.add(entries.get(id)!.bucket);
        remove(id, false);
      }
      for (const bucket of touched) if (bucket.live > 0) maintain(bucket);
      return expired.length;
    },
  };
}
