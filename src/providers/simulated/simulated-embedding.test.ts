import { describe, expect, it } from 'vitest';
import { encodeEmbedding, simulatedEmbedding } from './simulated-embedding.js';

const cosine = (left: Float32Array, right: Float32Array) => left.reduce((sum, value, index) => sum + value * right[index], 0);

describe('simulatedEmbedding', () => {
  it('is a deterministic unit vector of the requested size, never all zeros', () => {
    for (const text of ['hello world', '', '!!!']) {
      const vector = simulatedEmbedding(text, 64);
      expect(vector).toHaveLength(64);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      expect(simulatedEmbedding(text, 64)).toEqual(vector);
    }
  });

  it('puts similar texts closer than unrelated ones', () => {
    const question = simulatedEmbedding('What is the capital of France?', 256);
    const paraphrase = simulatedEmbedding('what is the capital city of France', 256);
    const unrelated = simulatedEmbedding('Recipe for banana bread with walnuts', 256);
    expect(cosine(question, paraphrase)).toBeGreaterThan(0.6);
    expect(cosine(question, paraphrase)).toBeGreaterThan(cosine(question, unrelated) + 0.4);
  });

  it('encodes base64 as little-endian float32, as OpenAI does', () => {
    const vector = simulatedEmbedding('hello', 8);
    const encoded = encodeEmbedding(vector, 'base64') as string;
    const bytes = Buffer.from(encoded, 'base64');
    expect(bytes).toHaveLength(32);
    expect(Array.from({ length: 8 }, (_, index) => bytes.readFloatLE(index * 4))).toEqual(Array.from(vector));
    expect(encodeEmbedding(vector, 'float')).toEqual(Array.from(vector));
  });
});
