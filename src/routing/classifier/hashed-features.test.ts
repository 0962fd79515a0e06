import { describe, expect, it } from 'vitest';
import { DEFAULT_HASHING, NUMERIC_FEATURE_NAMES, hashText, normalizeForHashing, vectorizePrompt } from './hashed-features.js';
import { extractPromptFeatures, userPrompt } from './prompt-features.js';

const norm = (values: Float64Array) => Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));

describe('hashText', () => {
  it('is deterministic, sorted and within the hash space', () => {
    const first = hashText('Write a function to reverse a list', DEFAULT_HASHING);
    const second = hashText('Write a function to reverse a list', DEFAULT_HASHING);
    expect(first).toEqual(second);
    expect([...first.indices]).toEqual([...first.indices].sort((a, b) => a - b));
    expect(Math.max(...first.indices)).toBeLessThan(1 << DEFAULT_HASHING.bits);
  });

  it('scales the word group and the char group to unit length each', () => {
    const words = hashText('alpha beta gamma', { ...DEFAULT_HASHING, charNgrams: [] });
    expect(norm(words.values)).toBeCloseTo(1, 12);
    const both = hashText('alpha beta gamma', DEFAULT_HASHING);
    // Two unit groups: √2 unless slots collide.
    expect(norm(both.values)).toBeCloseTo(Math.SQRT2, 1);
  });

  it('treats numbers by shape, not value, and ignores case', () => {
    expect(hashText('Add 12 and 345', DEFAULT_HASHING)).toEqual(hashText('add 98 and 761', DEFAULT_HASHING));
    expect(hashText('Add 12 and 345', DEFAULT_HASHING)).not.toEqual(hashText('add 9 and 761', DEFAULT_HASHING));
  });

  it('gives an empty vector for empty text', () => {
    expect(hashText('', { ...DEFAULT_HASHING, charNgrams: [] }).indices).toHaveLength(0);
  });
});

describe('normalizeForHashing', () => {
  it('keeps the head and the tail of a long prompt', () => {
    const text = `${'a'.repeat(3_000)}MIDDLE${'b'.repeat(5_000)}END`;
    const normalized = normalizeForHashing(text);
    expect(normalized).not.toContain('middle');
    expect(normalized.endsWith('end')).toBe(true);
    expect(normalized.length).toBeLessThanOrEqual(4_001);
  });
});

describe('vectorizePrompt', () => {
  it('adds one numeric value per named feature', () => {
    const vector = vectorizePrompt(extractPromptFeatures(userPrompt('Solve 2 + 2')), DEFAULT_HASHING);
    expect(vector.numeric).toHaveLength(NUMERIC_FEATURE_NAMES.length);
  });
});
