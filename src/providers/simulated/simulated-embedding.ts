import { FrugalError } from '../../errors/frugal-error.js';

/** text-embedding-3-small's size: what a client that sends no `dimensions` expects. */
export const DEFAULT_SIMULATED_DIMENSIONS = 1536;
/** text-embedding-3-large's size; above it a request is refused rather than allocating whatever it asks. */
export const MAX_SIMULATED_DIMENSIONS = 3072;

const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;

/**
 * A deterministic embedding in which similar texts are close: words and character trigrams are hashed to
 * signed buckets (the "hashing trick"), then the vector is scaled to unit length. Texts sharing words share
 * buckets, so cosine similarity tracks word overlap — enough to try the semantic cache offline.
 * Never all zeros: an empty text still gets one feature.
 */
export function simulatedEmbedding(text: string, dimensions: number): Float32Array {
  const vector = new Float64Array(dimensions);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) addFeature(vector, `empty:${text}`, WORD_WEIGHT);
  for (const word of words) {
    addFeature(vector, `w:${word}`, WORD_WEIGHT);
    const padded = `^${word}$`;
    for (let start = 0; start + 3 <= padded.length; start += 1) addFeature(vector, `c:${padded.slice(start, start + 3)}`, TRIGRAM_WEIGHT);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  const unit = new Float32Array(dimensions);
  for (let index = 0; index < dimensions; index += 1) unit[index] = vector[index] / norm;
  return unit;
}

function addFeature(vector: Float64Array, feature: string, weight: number) {
  const hash = fnv1a(feature);
  // The top bit picks the sign, so unrelated features cancel out on average instead of piling up.
  vector[hash % vector.length] += hash & 0x8000_0000 ? -weight : weight;
}

function fnv1a(text: string): number {
  let hash = 0x811c_9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x0100_0193);
  }
  return hash >>> 0;
}

/** As OpenAI sends it: a float array, or base64 of the little-endian float32 bytes. */
export function encodeEmbedding(vector: Float32Array, format: 'float' | 'base64' | undefined): number[] | string {
  if (format !== 'base64') return Array.from(vector);
  const bytes = Buffer.alloc(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) bytes.writeFloatLE(vector[index], index * 4);
  return bytes.toString('base64');
}

/** The requested size, defaulted and bounded. */
export function embeddingDimensions(requested: number | undefined): number {
  const dimensions = requested ?? DEFAULT_SIMULATED_DIMENSIONS;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_SIMULATED_DIMENSIONS) {
    throw new FrugalError('invalid_request', `dimensions must be an integer from 1 to ${MAX_SIMULATED_DIMENSIONS}.`, { param: 'dimensions' });
  }
  return dimensions;
}
