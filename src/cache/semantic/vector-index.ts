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

/**
 * Nearest-neighbour search over unit vectors, partitioned into buckets: a search only ever sees the
 * entries of its own bucket. The semantic cache uses the context fingerprint as the bucket, so a
 * question asked in another conversation, by another tenant or under other parameters is not even a
 * candidate — isolation by construction, not by a filter that could be forgotten.
 */
export interface VectorIndex {
  readonly size: number;
  /** Adds or replaces the entry `id`. */
  add(id: string, bucket: string, vector: Float32Array, expiresAt: number): void;
  /** Most similar live entries of the bucket, most similar first. */
  search(bucket: string, vector: Float32Array, options: VectorSearchOptions): VectorMatch[];
  delete(id: string): boolean;
  /** Drops every entry that expired before `now`; returns how many. */
  prune(now: number): number;
}
