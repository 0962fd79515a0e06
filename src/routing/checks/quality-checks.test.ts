import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatResponse } from '../../wire/chat-types.js';
import { answersAgree, meanLogprob, parseJudgeScore, runLocalCheck } from './quality-checks.js';

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

  it('passes answers that state a final answer and fails those that stop without one', () => {
    expect(runLocalCheck('answer_stated', request, response('3 x 60 = 180 meters, so 180 x 3 = 540.\n#### 540')).pass).toBe(true);
    expect(runLocalCheck('answer_stated', request, response('So the answer is $18.')).pass).toBe(true);
    expect(runLocalCheck('answer_stated', request, response('B) Logan')).pass).toBe(true);
    expect(runLocalCheck('answer_stated', request, response('Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 eggs and then')).pass).toBe(false);
    expect(runLocalCheck('answer_stated', request, response('I am not sure how to solve this.')).pass).toBe(false);
    expect(runLocalCheck('answer_stated', request, response('   ')).pass).toBe(false);
    // A tool call states no answer either.
    const call = response(null, { message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] } });
    expect(runLocalCheck('answer_stated', request, call)).toEqual({ name: 'answer_stated', pass: false });
  });

  it('fails an answer with a wrong worked step and says which step', () => {
    expect(runLocalCheck('arithmetic', request, response('He runs 3 x 60 = 180 meters, so 180 x 3 = 540 a week.\n#### 540'))).toEqual({ name: 'arithmetic', pass: true, detail: undefined });
    expect(runLocalCheck('arithmetic', request, response('He runs 3 x 60 = 180 meters, so 180 x 3 = 560 a week.\n#### 560'))).toEqual({ name: 'arithmetic', pass: false, detail: '180 x 3 = 560 (is 540)' });
    // Only the first wrong step is named.
    expect(runLocalCheck('arithmetic', request, response('<<15+25=45>>45 cups, then 45 * 2 = 80.')).detail).toBe('15+25 = 45 (is 40)');
  });

  it('checks percentage steps to the percent, whichever way the working writes them', () => {
    expect(runLocalCheck('arithmetic', request, response('The discount is (20 / 80) * 100 = 25%.')).pass).toBe(true);
    expect(runLocalCheck('arithmetic', request, response('The discount is 20 / 80 = 25%.')).pass).toBe(true);
    expect(runLocalCheck('arithmetic', request, response('Together 50% + 25% = 75% of the cake.')).pass).toBe(true);
    expect(runLocalCheck('arithmetic', request, response('The discount is (20 / 80) * 100 = 60%.')).pass).toBe(false);
    expect(runLocalCheck('arithmetic', request, response('The discount is 20 / 80 = 40%.')).pass).toBe(false);
    expect(runLocalCheck('arithmetic', request, response('Together 50% + 25% = 70% of the cake.')).pass).toBe(false);
  });

  it('passes an answer with no calculation in it: the arithmetic check has nothing to fail', () => {
    expect(runLocalCheck('arithmetic', request, response('Paris is the capital of France.')).pass).toBe(true);
    expect(runLocalCheck('arithmetic', request, response('Let x = 5, then the answer is 5.')).pass).toBe(true);
  });
});

describe('answersAgree', () => {
  it('agrees when both answers state the same final answer, however each writes it', () => {
    expect(answersAgree('The answer is 42.', '6 x 7 = 42\n#### 42')).toBe(true);
    expect(answersAgree('She pays $1,200 in total.\nThe answer is $1,200.', '\\boxed{1200}')).toBe(true);
    expect(answersAgree('The answer is 42, which is the total.', '#### 42')).toBe(true);
    expect(answersAgree('The answer is 1,200, as computed above.', '#### 1200')).toBe(true);
    expect(answersAgree('B) Logan', 'The correct answer is (b).')).toBe(true);
    expect(answersAgree('Final answer: 18.0', '#### 18 dollars')).toBe(true);
  });

  it('disagrees on different final answers and when only one answer states one', () => {
    expect(answersAgree('#### 41', '#### 42')).toBe(false);
    expect(answersAgree('The answer is B.', 'The answer is C.')).toBe(false);
    expect(answersAgree('The answer is -3.', 'The answer is 3.')).toBe(false);
    expect(answersAgree('I do not know.', '#### 42')).toBe(false);
    expect(answersAgree('#### 42', 'Let me think about it')).toBe(false);
    // The last stated answer is the one compared: a corrected guess counts as corrected.
    expect(answersAgree('The answer is 4. No wait, the answer is 5.', '#### 4')).toBe(false);
  });

  it('compares answers that state none by their text, ignoring case and spacing', () => {
    expect(answersAgree('Paris', '  paris ')).toBe(true);
    expect(answersAgree('New  York\n', 'new york')).toBe(true);
    expect(answersAgree('Paris', 'Lyon')).toBe(false);
  });
});
