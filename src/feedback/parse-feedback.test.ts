import { describe, expect, it } from 'vitest';
import { MAX_COMMENT_CHARS, parseFeedbackBody, parseHeliconeFeedback, portkeyValueToScore } from './parse-feedback.js';

const refusal = (param: string) => expect.objectContaining({ code: 'invalid_request', status: 400, param });

describe('parseFeedbackBody (Frugal shape)', () => {
  it('takes a number in [0, 1] or a thumb, with defaults for name and source', () => {
    expect(parseFeedbackBody({ request_id: 'frg-1', score: 0.25 })).toEqual({
      shape: 'frugal',
      submission: { requestId: 'frg-1', name: 'default', score: 0.25, comment: null, source: 'user', metadata: null },
    });
    expect(parseFeedbackBody({ request_id: 'frg-1', score: true }).submission.score).toBe(1);
    expect(parseFeedbackBody({ request_id: 'frg-1', score: false }).submission.score).toBe(0);
    const full = parseFeedbackBody({ request_id: 'a:b.c_d-e', score: 1, name: 'correct', comment: 'exact', source: 'reviewer', metadata: { ticket: 7 } });
    expect(full.submission).toEqual({ requestId: 'a:b.c_d-e', name: 'correct', score: 1, comment: 'exact', source: 'reviewer', metadata: { ticket: 7 } });
  });

  it('names the field at fault', () => {
    expect(() => parseFeedbackBody({ score: 1 })).toThrow(refusal('request_id'));
    expect(() => parseFeedbackBody({ request_id: 'has space', score: 1 })).toThrow(refusal('request_id'));
    for (const score of [1.5, -0.1, '0.5', null, Number.NaN, undefined]) expect(() => parseFeedbackBody({ request_id: 'r', score })).toThrow(refusal('score'));
    expect(() => parseFeedbackBody({ request_id: 'r', score: 1, name: '' })).toThrow(refusal('name'));
    expect(() => parseFeedbackBody({ request_id: 'r', score: 1, name: 'x'.repeat(65) })).toThrow(refusal('name'));
    expect(() => parseFeedbackBody({ request_id: 'r', score: 1, comment: 'x'.repeat(MAX_COMMENT_CHARS + 1) })).toThrow(refusal('comment'));
    expect(() => parseFeedbackBody({ request_id: 'r', score: 1, source: 'robot' })).toThrow(refusal('source'));
    expect(() => parseFeedbackBody({ request_id: 'r', score: 1, metadata: [1] })).toThrow(refusal('metadata'));
    expect(() => parseFeedbackBody({ request_id: 'r', score: 1, metadata: { big: 'x'.repeat(5000) } })).toThrow(refusal('metadata'));
    expect(() => parseFeedbackBody({ request_id: 'r', socre: 1 })).toThrow(refusal('socre'));
    expect(() => parseFeedbackBody([])).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('parseFeedbackBody (Portkey shape)', () => {
  it('maps value −10…10 linearly onto [0, 1] and keeps weight and metadata', () => {
    expect([-10, -5, 0, 5, 10].map(portkeyValueToScore)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(parseFeedbackBody({ trace_id: 'frg-2', value: 5, weight: 0.5, metadata: { _user: 'u1' } })).toEqual({
      shape: 'portkey',
      submission: { requestId: 'frg-2', name: 'default', score: 0.75, comment: null, source: 'user', metadata: { _user: 'u1', weight: 0.5 } },
    });
    expect(parseFeedbackBody({ trace_id: 'frg-2', value: -10, metadata: '{"text":"irrelevant"}' }).submission).toMatchObject({ score: 0, metadata: { text: 'irrelevant' } });
  });

  it('refuses a value off the scale or fractional, a weight outside [0, 1], and unknown fields', () => {
    for (const value of [11, -11, 2.5, '5', undefined]) expect(() => parseFeedbackBody({ trace_id: 't', value })).toThrow(refusal('value'));
    expect(() => parseFeedbackBody({ trace_id: 't', value: 1, weight: 2 })).toThrow(refusal('weight'));
    expect(() => parseFeedbackBody({ trace_id: 't', value: 1, metadata: 'not json' })).toThrow(refusal('metadata'));
    expect(() => parseFeedbackBody({ trace_id: 't', value: 1, score: 1 })).toThrow(refusal('score'));
  });
});

describe('parseHeliconeFeedback', () => {
  it('takes { rating: boolean } as a thumb on the default score', () => {
    expect(parseHeliconeFeedback('frg-3', { rating: true })).toEqual({ requestId: 'frg-3', name: 'default', score: 1, comment: null, source: 'user', metadata: null });
    expect(parseHeliconeFeedback('frg-3', { rating: false }).score).toBe(0);
    expect(() => parseHeliconeFeedback('frg-3', { rating: 1 })).toThrow(refusal('rating'));
    expect(() => parseHeliconeFeedback('frg-3', {})).toThrow(refusal('rating'));
  });
});
