/**
 * Turns texts into vectors for the semantic cache. `id` names the vector space (model and version): it is
 * part of every stored entry's context fingerprint, so entries embedded by another embedder — or another
 * version of this one — are never compared with new queries.
 */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** One L2-normalised vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /**
   * The similarity threshold measured to give ≥ 0.95 precision in this vector space, when known.
   * Thresholds do not transfer between embedders: a cosine of 0.9 means different things in each.
   */
  readonly suggestedThreshold?: number;
}

/** Scales a vector to unit length in place (a zero vector stays zero: it matches nothing). */
export function normaliseInPlace(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i += 1) sum += vector[i] * vector[i];
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i += 1) vector[i] *= scale;
  return vector;
}

/** Cosine similarity of two unit vectors: their dot product. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i] * b[i];
  return sum;
}
