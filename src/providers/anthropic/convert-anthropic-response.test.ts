import { describe, expect, it } from 'vitest';
import type { AnthropicResponse } from '../../wire/anthropic/anthropic-types.js';
import { convertAnthropicResponse } from './convert-anthropic-response.js';

// Shape and field order as the Messages API sends them (recorded traffic, see the mock server).
function message(overrides: Partial<AnthropicResponse>): AnthropicResponse {
  return {
    model: 'claude-sonnet-4-5-20250929',
    id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
    type: 'message',
    role: 'assistant',
    content: [{ type: 'text', text: 'Hello!' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 10,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 5,
      service_tier: 'standard',
    },
    ...overrides,
  };
}

describe('convertAnthropicResponse', () => {
  it('converts a text answer with usage in OpenAI shape', () => {
    expect(convertAnthropicResponse(message({}), 1_700_000_000)).toEqual({
      id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
      system_fingerprint: null,
    });
  });

  it('counts cache reads and writes into prompt_tokens and reports reads as cached_tokens', () => {
    const response = convertAnthropicResponse(
      message({ usage: { input_tokens: 4, cache_read_input_tokens: 2000, cache_creation_input_tokens: 300, output_tokens: 7 } }),
      0,
    );
    expect(response.usage).toMatchObject({ prompt_tokens: 2304, completion_tokens: 7, total_tokens: 2311, prompt_tokens_details: { cached_tokens: 2000 } });
  });

  it('joins text blocks and turns tool_use blocks into tool calls with JSON arguments', () => {
    const response = convertAnthropicResponse(
      message({
        content: [
          { type: 'text', text: 'Let me ' },
          { type: 'text', text: 'check.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris', days: 2 } },
          { type: 'tool_use', id: 'toolu_01B', name: 'now', input: {} },
        ],
        stop_reason: 'tool_use',
      }),
      0,
    );
    expect(response.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":2}' } },
          { id: 'toolu_01B', type: 'function', function: { name: 'now', arguments: '{}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
  });

  it('sends null content when the answer is only tool calls', () => {
    const response = convertAnthropicResponse(message({ content: [{ type: 'tool_use', id: 't', name: 'now', input: {} }], stop_reason: 'tool_use' }), 0);
    expect(response.choices[0].message.content).toBeNull();
  });

  it('keeps thinking out of content, offering it as reasoning_content', () => {
    const response = convertAnthropicResponse(
      message({
        content: [
          { type: 'thinking', thinking: '27 * 453 = 12231', signature: 'EqQBCgIYAhIM' },
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3' },
          { type: 'text', text: '12231' },
        ],
      }),
      0,
    );
    expect(response.choices[0].message.content).toBe('12231');
    expect(response.choices[0].message.reasoning_content).toBe('27 * 453 = 12231');
  });

  it('maps max_tokens to finish_reason length and refusal to content_filter', () => {
    expect(convertAnthropicResponse(message({ stop_reason: 'max_tokens' }), 0).choices[0].finish_reason).toBe('length');
    expect(convertAnthropicResponse(message({ content: [], stop_reason: 'refusal' }), 0).choices[0]).toMatchObject({
      message: { content: '' },
      finish_reason: 'content_filter',
    });
  });
});
