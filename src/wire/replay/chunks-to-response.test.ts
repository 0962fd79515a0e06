import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../chat-types.js';
import { ChatResponseAssembler, chunksToResponse } from './chunks-to-response.js';

const head = { id: 'chatcmpl-B9', object: 'chat.completion.chunk' as const, created: 1_763_856_000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_44709d6fcb' };

// The shape OpenAI streams for a tool call with include_usage (ids and values shortened).
const toolCallStream: ChatChunk[] = [
  { ...head, usage: null, choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '' } }], refusal: null }, logprobs: null, finish_reason: null }] },
  { ...head, usage: null, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"loc' } }] }, logprobs: null, finish_reason: null }] },
  { ...head, usage: null, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'ation":"Paris"}' } }] }, logprobs: null, finish_reason: null }] },
  { ...head, usage: null, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_def', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }, logprobs: null, finish_reason: null }] },
  { ...head, usage: null, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] },
  { ...head, choices: [], usage: { prompt_tokens: 81, completion_tokens: 31, total_tokens: 112, prompt_tokens_details: { cached_tokens: 0 } } },
];

describe('chunksToResponse', () => {
  it('assembles streamed content, finish reason and usage', () => {
    const response = chunksToResponse([
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { content: ', world' }, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } },
    ]);
    expect(response).toEqual({
      id: 'chatcmpl-B9',
      object: 'chat.completion',
      created: 1_763_856_000,
      model: 'gpt-4o-mini-2024-07-18',
      system_fingerprint: 'fp_44709d6fcb',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, world' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
  });

  it('assembles parallel tool calls by index, with null content as a non-streamed answer has', () => {
    const response = chunksToResponse(toolCallStream);
    expect(response.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            { id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_def', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ]);
    expect(response.usage?.total_tokens).toBe(112);
  });

  it('keeps several choices apart and in index order', () => {
    const response = chunksToResponse([
      { ...head, choices: [{ index: 1, delta: { role: 'assistant', content: 'B' }, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'A' }, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }, { index: 1, delta: {}, finish_reason: 'length' }] },
    ]);
    expect(response.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason])).toEqual([
      [0, 'A', 'stop'],
      [1, 'B', 'length'],
    ]);
  });

  it('joins streamed logprobs in order', () => {
    const token = (text: string) => ({ token: text, logprob: -0.1, bytes: null, top_logprobs: [] });
    const response = chunksToResponse([
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, logprobs: { content: [token('Hi')] }, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { content: '!' }, logprobs: { content: [token('!')] }, finish_reason: 'stop' }] },
    ]);
    expect(response.choices[0].logprobs).toEqual({ content: [token('Hi'), token('!')] });
  });
});

describe('ChatResponseAssembler.complete', () => {
  it('is false until every choice has finished, so a cut stream is never stored', () => {
    const assembler = new ChatResponseAssembler();
    expect(assembler.complete).toBe(false);
    for (const chunk of toolCallStream.slice(0, 3)) assembler.add(chunk);
    expect(assembler.complete).toBe(false);
    for (const chunk of toolCallStream.slice(3)) assembler.add(chunk);
    expect(assembler.complete).toBe(true);
  });
});
