import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatResponse } from '../../providers/chat-types.js';
import { meanLogprob, parseJudgeScore, runLocalCheck } from './quality-checks.js';

const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }] };
function response(content: string | null, extra: Partial<ChatResponse['choices'][0]> = {}): ChatResponse {
  return { id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', ...extra }] };
}

describe('quality checks', () => {
  it('fails empty answers, refusals and answers cut by the token limit', () => {
    expect(runLocalCheck('non_empty', request, response('  ')).pass).toBe(false);
    expect(runLocalCheck('non_empty', request, response('ok')).pass).toBe(true);
    expect(runLocalCheck('not_refusal', request, response("I'm sorry, but I can't help with that.")).pass).toBe(false);
    expect(runLocalCheck('not_refusal', request, response('As an AI language model, I cannot browse.')).pass).toBe(false);
    expect(runLocalCheck('not_refusal', request, response('Sorry for the wait: the answer is 4.')).pass).toBe(true);
    expect(runLocalCheck('finished', request, response('half', { finish_reason: 'length' })).pass).toBe(false);
  });

  it('checks JSON and JSON schema only when response_format asks for it', () => {
    expect(runLocalCheck('valid_json', request, response('not json')).pass).toBe(true);
    const json = { ...request, response_format: { type: 'json_object' as const } };
    expect(runLocalCheck('valid_json', json, response('{"a":1}')).pass).toBe(true);
    expect(runLocalCheck('valid_json', json, response('{"a":')).pass).toBe(false);
    const schema = { ...request, response_format: { type: 'json_schema' as const, json_schema: { name: 's', schema: { type: 'object', required: ['answer'], properties: { answer: { type: 'number' } } } } } };
    expect(runLocalCheck('valid_json', schema, response('{"answer":4}')).pass).toBe(true);
    expect(runLocalCheck('valid_json', schema, response('{"answer":"four"}')).pass).toBe(false);
  });

  it('fails tool calls whose arguments are not JSON', () => {
    const call = (args: string) => response(null, { message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] } });
    expect(runLocalCheck('tool_args', request, call('{"x":1}')).pass).toBe(true);
    expect(runLocalCheck('tool_args', request, call('{"x":')).pass).toBe(false);
  });

  it('reads mean logprobs and judge scores', () => {
    expect(meanLogprob(response('a', { logprobs: { content: [{ logprob: -0.2 }, { logprob: -0.4 }] } }))).toBeCloseTo(-0.3, 9);
    expect(meanLogprob(response('a'))).toBeUndefined();
    expect(parseJudgeScore('0.85')).toBe(0.85);
    expect(parseJudgeScore('Score: 1')).toBe(1);
    expect(parseJudgeScore('I would say .7 overall')).toBe(0.7);
    expect(parseJudgeScore('7 out of 10')).toBeUndefined();
    expect(parseJudgeScore('no idea')).toBeUndefined();
  });
});
