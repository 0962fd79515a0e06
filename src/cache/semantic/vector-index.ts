/** One neighbour found by a vector search. `similarity` is the cosine of two unit vectors. */
export interface VectorMatch {
  id: string;
  similarity: number;
}

export interface VectorSearchOptions {
  /** How many neighbours to return at most (default 1). */
  k?: number;
  /** Leave out neighbours below this similarity. */
  minSimilarity?: number;
  /** Epoch milliseconds; entries that expired before it are never returned. */
  now: number;
}

/** In-memory indexes answer at once; shared ones (pgvector) answer over the network. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Nearest-neighbour search over unit vectors, partitioned into buckets: a search only ever sees the
 * entries of its own bucket. The semantic cache uses the context fingerprint as the bucket, so a
 * question asked in another conversation, by another tenant or under other parameters is not even a
 * candidate — isolation by construction, not by a filter that could be forgotten.
 *
 * Methods may answer synchronously or with a promise; callers `await` them, which costs an in-memory
 * index nothing noticeable and lets a shared index (see `createPgVectorIndex`) serve several gateways.
 */
export interface VectorIndex {
  /** Entries held, where the index can tell cheaply (in-memory ones can). */
  readonly size?: number;
  /** Adds or replaces the entry `id`. */
  add(id: string, bucket: string, vector: Float32Array, expiresAt: number): MaybePromise<void>;
  /** Most similar live entries of the bucket, most similar first. */
  search(bucket: string, vector: Float32Array, options: VectorSearchOptions): MaybePromise<VectorMatch[]>;
  delete(id: string): MaybePromise<boolean>;
  /** Drops every entry that expired before `now`; returns how many. */
  prune(now: number): MaybePromise<number>;
}

/** A {@link VectorIndex} held in this process: every answer is immediate. */
export interface InMemoryVectorIndex extends VectorIndex {
  readonly size: number;
  add(id: string, bucket: string, vector: Float32Array, expiresAt: number): void;
  search(bucket: string, vector: Float32Array, options: VectorSearchOptions): VectorMatch[];
  delete(id: string): boolean;
  prune(now: number): number;
}
