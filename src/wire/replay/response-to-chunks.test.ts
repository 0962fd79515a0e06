import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../chat-types.js';
import { chunksToResponse } from './chunks-to-response.js';
import { responseToChunks } from './response-to-chunks.js';

const textResponse: ChatResponse = {
  id: 'chatcmpl-A1',
  object: 'chat.completion',
  created: 1_763_856_000,
  model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_44709d6fcb',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 14, completion_tokens: 8, total_tokens: 22, prompt_tokens_details: { cached_tokens: 0 } },
};

const toolResponse: ChatResponse = {
  id: 'chatcmpl-A2',
  object: 'chat.completion',
  created: 1_763_856_001,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 80, completion_tokens: 30, total_tokens: 110 },
};

describe('responseToChunks', () => {
  it('emits a role chunk, content, a finish chunk and — when asked — a usage chunk with empty choices', () => {
    const chunks = responseToChunks(textResponse, { includeUsage: true });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'The capital of France is Paris.' },
      {},
      undefined,
    ]);
    expect(chunks.map((chunk) => (chunk.choices.length === 0 ? 'none' : chunk.choices[0].finish_reason))).toEqual([null, null, 'stop', 'none']);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: textResponse.usage });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-A1', object: 'chat.completion.chunk', created: 1_763_856_000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_44709d6fcb' });
    }
  });

  it('leaves out usage unless asked', () => {
    const chunks = responseToChunks(textResponse);
    expect(chunks).toHaveLength(3);
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });

  it('streams tool calls as id-and-name deltas followed by argument pieces', () => {
    const chunks = responseToChunks(toolResponse, { pieceLength: 10 });
    const toolDeltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(toolDeltas[0]).toEqual({ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(toolDeltas.filter((delta) => delta.index === 0).slice(1).every((delta) => delta.id === undefined && (delta.function?.arguments?.length ?? 0) <= 10)).toBe(true);
    expect(toolDeltas.filter((delta) => delta.index === 1)).toEqual([{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } }]);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('splits long content into pieces without breaking a surrogate pair', () => {
    const emoji = '👋'.repeat(5); // 10 UTF-16 units
    const response: ChatResponse = { ...textResponse, choices: [{ ...textResponse.choices[0], message: { role: 'assistant', content: `a${emoji}` } }] };
    const pieces = responseToChunks(response, { pieceLength: 4 })
      .map((chunk) => chunk.choices[0]?.delta.content)
      .filter((content): content is string => typeof content === 'string' && content !== '');
    expect(pieces.join('')).toBe(`a${emoji}`);
    expect(pieces.every((piece) => !/[\ud800-\udbff]$/.test(piece))).toBe(true);
    expect(pieces.length).toBeGreaterThan(2);
  });
});

describe('round trip: response → chunks → response', () => {
  it.each([
    ['plain text', textResponse],
    ['tool calls', toolResponse],
    ['long text in small pieces', { ...textResponse, choices: [{ ...textResponse.choices[0], message: { role: 'assistant' as const, content: 'lorem ipsum '.repeat(200), refusal: null } }] }],
    ['a refusal', { ...textResponse, choices: [{ index: 0, message: { role: 'assistant' as const, content: null, refusal: 'I cannot help with that.' }, finish_reason: 'stop' as const }] }],
    ['two choices', { ...textResponse, choices: [textResponse.choices[0], { index: 1, message: { role: 'assistant' as const, content: 'Paris.', refusal: null }, finish_reason: 'length' as const, logprobs: null }] }],
  ])('gives back the same response for %s', (_name, response) => {
    const replayed = chunksToResponse(responseToChunks(response as ChatResponse, { includeUsage: true, pieceLength: 7 }));
    // `logprobs: null` on a choice means "none" and is not restated by the assembly.
    const expected = { ...response, choices: (response as ChatResponse).choices.map(({ logprobs: _logprobs, ...choice }) => choice) };
    expect(replayed).toEqual(expected);
  });

  it('keeps logprobs beside their text', () => {
    const logprobs = { content: [{ token: 'Paris', logprob: -0.01, bytes: [80, 97, 114, 105, 115], top_logprobs: [] }] };
    const response: ChatResponse = { ...textResponse, choices: [{ index: 0, message: { role: 'assistant', content: 'Paris' }, finish_reason: 'stop', logprobs }] };
    const chunks = responseToChunks(response);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content === 'Paris')[0].choices[0].logprobs).toEqual(logprobs);
    expect(chunksToResponse(chunks).choices[0].logprobs).toEqual(logprobs);
  });
});
