import { describe, expect, it } from 'vitest';
import { extractFinalAnswer, normaliseAnswer } from './final-answer.js';

describe('extractFinalAnswer', () => {
  it('reads the markers worked answers end with, the last one winning', () => {
    expect(extractFinalAnswer('So 3 x 60 = 180.\n#### 540\n\n')).toBe('540');
    expect(extractFinalAnswer('Total: $1,200.\nThe answer is $1,200.')).toBe('1200');
    expect(extractFinalAnswer('We get \\boxed{42} in the end.')).toBe('42');
    expect(extractFinalAnswer('First guess: the answer is 4. On reflection, the answer is 5.')).toBe('5');
    expect(extractFinalAnswer('Final answer: -3.50')).toBe('-3.5');
    expect(extractFinalAnswer('**Answer:** (c)')).toBe('C');
  });

  it('reads a bare choice letter, alone or followed by its text', () => {
    expect(extractFinalAnswer('D')).toBe('D');
    expect(extractFinalAnswer(' (B).')).toBe('B');
    expect(extractFinalAnswer('B) Logan')).toBe('B');
    expect(extractFinalAnswer('A: the caffeine')).toBe('A');
  });

  it('finds none in prose, in a truncated working or in a sentence that starts with "I"', () => {
    expect(extractFinalAnswer('Wendi gives 15 + 25 = <<15+2')).toBeUndefined();
    expect(extractFinalAnswer('I do not know which one.')).toBeUndefined();
    expect(extractFinalAnswer('A function that reverses a list.')).toBeUndefined();
    expect(extractFinalAnswer('Here is the code:\n```python\ndef f(): pass\n```')).toBeUndefined();
  });
});

describe('normaliseAnswer', () => {
  it('makes the same number written differently compare equal', () => {
    expect(normaliseAnswer('1,000 dollars')).toBe(normaliseAnswer('$1000'));
    expect(normaliseAnswer('18.0')).toBe('18');
    expect(normaliseAnswer('−7')).toBe('-7');
    // A decimal comma is not a thousands separator: not read as the number 1.
    expect(normaliseAnswer('1,2')).toBe('1,2');
  });

  it('keeps short text answers as lower-case words and rejects long ones', () => {
    expect(normaliseAnswer('  Paris. ')).toBe('paris');
    expect(normaliseAnswer('x'.repeat(200))).toBeUndefined();
  });
});

describe('a bare number', () => {
  it('is the stated answer when it is the whole reply', () => {
    expect(extractFinalAnswer(' 4\n')).toBe('4');
    expect(extractFinalAnswer('$1,200.')).toBe('1200');
    expect(extractFinalAnswer('4 apples and 3 pears')).toBeUndefined();
  });
});
