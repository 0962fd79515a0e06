import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../wire/chat-types.js';
import { batchable, batchedRequest, splitBatchedAnswer } from './batch-prompt.js';
import { splitByWeights } from './split-shares.js';

const ask = (question: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'support', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }], ...extra });

describe('batchable', () => {
  it('gives requests with the same system prompt and answer-changing parameters the same key', () => {
    expect(batchable(ask('a', { temperature: 0, user: 'u1' }))!.key).toBe(batchable(ask('b', { temperature: 0, user: 'u2', max_tokens: 50 }))!.key);
    expect(batchable(ask('a', { temperature: 0 }))!.key).not.toBe(batchable(ask('a', { temperature: 1 }))!.key);
    expect(batchable({ model: 'support', messages: [{ role: 'system', content: 'Be long.' }, { role: 'user', content: 'a' }] })!.key).not.toBe(batchable(ask('a'))!.key);
  });

  it('leaves out streams, tools, several answers, own response formats and conversations', () => {
    expect(batchable(ask('a', { stream: true }))).toBeUndefined();
    expect(batchable(ask('a', { n: 2 }))).toBeUndefined();
    expect(batchable(ask('a', { response_format: { type: 'json_object' } }))).toBeUndefined();
    expect(batchable(ask('a', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }))).toBeUndefined();
    expect(batchable({ model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] })).toBeUndefined();
  });
});

describe('batchedRequest and splitBatchedAnswer', () => {
  const members = ['What is 2+2?', 'Capital of France?'].map((question) => ({ request: ask(question, { max_tokens: 20 }), question }));

  it('asks numbered questions under the shared system prompt and splits the numbered reply back', () => {
    const request = batchedRequest(members[0].request, members, 'numbered');
    expect(request.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(request.messages[1].content).toContain('Question 2:\nCapital of France?');
    expect(request.max_tokens).toBe(72);
    expect(splitBatchedAnswer('=== ANSWER 1 ===\n4\n\n=== ANSWER 2 ===\nParis.\n', 2, 'numbered')).toEqual(['4', 'Paris.']);
  });

  it('refuses a reply that is not exactly N answers in order', () => {
    expect(splitBatchedAnswer('=== ANSWER 1 ===\n4', 2, 'numbered')).toBeUndefined();
    expect(splitBatchedAnswer('Sure!\n=== ANSWER 1 ===\n4\n=== ANSWER 2 ===\nParis', 2, 'numbered')).toBeUndefined();
    expect(splitBatchedAnswer('=== ANSWER 2 ===\n4\n=== ANSWER 1 ===\nParis', 2, 'numbered')).toBeUndefined();
    expect(splitBatchedAnswer('=== ANSWER 1 ===\n\n=== ANSWER 2 ===\nParis', 2, 'numbered')).toBeUndefined();
  });

  it('asks for a JSON array under a strict schema and reads it back', () => {
    const request = batchedRequest(members[0].request, members, 'json');
    expect(request.response_format).toMatchObject({ type: 'json_schema', json_schema: { schema: { properties: { answers: { minItems: 2, maxItems: 2 } } } } });
    expect(splitBatchedAnswer('{"answers":["4","Paris"]}', 2, 'json')).toEqual(['4', 'Paris']);
    expect(splitBatchedAnswer('{"answers":["4"]}', 2, 'json')).toBeUndefined();
    expect(splitBatchedAnswer('not json', 2, 'json')).toBeUndefined();
  });
});

describe('splitByWeights', () => {
  it('adds up exactly, rounding down and giving what is left to the largest remainders, earlier first on ties', () => {
    expect(splitByWeights(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitByWeights(100, [1, 2, 7])).toEqual([10, 20, 70]);
    expect(splitByWeights(7, [5, 0, 2])).toEqual([5, 0, 2]);
    // floors 428 571 431 + 428 571 431 + 142 857 143; remainders 4/7, 4/7, 6/7: the two units left go to the third, then the first.
    expect(splitByWeights(1_000_000_007, [3, 3, 1])).toEqual([428_571_432, 428_571_431, 142_857_144]);
    expect(splitByWeights(5, [0, 0])).toEqual([3, 2]);
  });
});
