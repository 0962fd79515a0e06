import { describe, expect, it } from 'vitest';
import { finalAnswer, gradeExact, gradeJsonSchema, gradeRegex, normaliseAnswer } from './graders.js';

describe('gradeExact', () => {
  it('compares numbers as numbers, after GSM8K\'s #### mark or an answer: label', () => {
    expect(gradeExact('3 * 60 = 180 meters, times 3.\n#### 540', '540')).toBe(1);
    expect(gradeExact('so the profit is #### $20.00', '20')).toBe(1);
    expect(gradeExact('Answer: 1,234', '1234')).toBe(1);
    expect(gradeExact('#### 541', '540')).toBe(0);
    // The last number of the reply when nothing marks the answer.
    expect(gradeExact('First 12, then 7 more: 19', '19')).toBe(1);
    expect(gradeExact('I cannot tell', '19')).toBe(0);
  });

  it('compares text after normalising case, spaces, quotes and trailing punctuation', () => {
    expect(normaliseAnswer('  "Paris."  ')).toBe('paris');
    expect(gradeExact('Paris.', 'paris')).toBe(1);
    expect(gradeExact('The capital is Paris', 'Paris')).toBe(0);
    expect(gradeExact('answer: Paris', 'Paris')).toBe(1);
    expect(finalAnswer('x #### y', 'y').trim()).toBe('y');
  });
});

describe('gradeRegex and gradeJsonSchema', () => {
  it('matches a bare or /…/flags pattern', () => {
    expect(gradeRegex('Order #A-123 shipped', 'A-\\d{3}')).toBe(1);
    expect(gradeRegex('order shipped', '/SHIPPED/i')).toBe(1);
    expect(gradeRegex('order shipped', '/SHIPPED/')).toBe(0);
  });

  it('validates the reply, or its first ```json block, against the schema', () => {
    const schema = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
    expect(gradeJsonSchema('{"name":"Ada"}', schema)).toBe(1);
    expect(gradeJsonSchema('Here:\n```json\n{"name":"Ada"}\n```', schema)).toBe(1);
    expect(gradeJsonSchema('{"name":3}', schema)).toBe(0);
    expect(gradeJsonSchema('not json', schema)).toBe(0);
  });
});
