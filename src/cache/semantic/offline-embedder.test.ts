import { describe, expect, it } from 'vitest';
import { dot } from './embedder.js';
import { createOfflineEmbedder } from './offline-embedder.js';

const embedder = createOfflineEmbedder();
async function similarity(a: string, b: string): Promise<number> {
  const [first, second] = await embedder.embed([a, b]);
  return dot(first, second);
}

describe('createOfflineEmbedder', () => {
  it('returns one unit vector of the declared size per text, deterministically', async () => {
    const vectors = await embedder.embed(['How do I reset my password?', 'Hello', '']);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(embedder.dimensions);
    expect(dot(vectors[0], vectors[0])).toBeCloseTo(1, 5);
    expect(dot(vectors[2], vectors[2])).toBe(0); // nothing to say: matches nothing
    expect(Array.from((await embedder.embed(['How do I reset my password?']))[0])).toEqual(Array.from(vectors[0]));
  });

  it('names its settings in its id, so a changed setting never mixes vector spaces', () => {
    expect(embedder.id).toMatch(/^frugal-offline-hash-v1:/);
    expect(createOfflineEmbedder({ bigramWeight: 0.9 }).id).not.toBe(embedder.id);
    expect(createOfflineEmbedder({ dimensions: 1024 }).id).not.toBe(embedder.id);
  });

  it('rejects a dimension that is not a power of two', () => {
    expect(() => createOfflineEmbedder({ dimensions: 500 })).toThrow(RangeError);
  });

  it('scores surface variants of one question as near-identical', async () => {
    expect(await similarity('How do I reset my password?', 'how do i reset my password')).toBeGreaterThan(0.999);
    expect(await similarity('How do I reset my password?', 'How can I reset my passwords?')).toBeGreaterThan(0.9);
  });

  it('scores a one-word change of topic clearly lower than a rephrasing', async () => {
    const rephrased = await similarity('What is the best way to learn Python?', 'What is the best way of learning Python?');
    const otherTopic = await similarity('What is the best way to learn Python?', 'What is the best way to learn Java?');
    expect(rephrased).toBeGreaterThan(otherTopic + 0.1);
  });

  it('tells programming languages that differ only by a symbol apart', async () => {
    expect(await similarity('What is the difference between C and C++?', 'What is the difference between C and C#?')).toBeLessThan(0.9);
  });

  it('tells reversed arguments apart', async () => {
    expect(await similarity('How do you convert benzene into toluene?', 'How do you convert toluene into benzene?')).toBeLessThan(0.97);
  });

  it('scores unrelated questions low', async () => {
    expect(await similarity('How do I reset my password?', 'What is the capital of France?')).toBeLessThan(0.3);
  });
});
