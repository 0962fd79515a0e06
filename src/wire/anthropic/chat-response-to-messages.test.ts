import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../chat-types.js';
import type { TokenUsage } from '../token-usage.js';
import { chatResponseToMessages, parseToolInput, toAnthropicStopReason } from './chat-response-to-messages.js';

const USAGE: TokenUsage = { promptTokens: 3600, completionTokens: 20, cachedPromptTokens: 3000, cacheCreationTokens: 500, reasoningTokens: 0, estimated: false };

function response(message: ChatResponse['choices'][number]['message'], finishReason: ChatResponse['choices'][number]['finish_reason']): ChatResponse {
  return { id: 'chatcmpl-9', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message, finish_reason: finishReason }] };
}

describe('chatResponseToMessages', () => {
  it('builds thinking, text and tool_use blocks with parsed input, and Anthropic usage', () => {
    const converted = chatResponseToMessages(
      response({ role: 'assistant', content: 'Let me check.', reasoning_content: 'Need weather.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, 'tool_calls'),
      USAGE,
    );
    expect(converted).toEqual({
      id: 'msg_chatcmpl-9',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [
        { type: 'thinking', thinking: 'Need weather.', signature: '' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 100, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500, output_tokens: 20 },
    });
  });

  it('returns an Anthropic upstream’s own message when it carries one', () => {
    const own = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [{ type: 'redacted_thinking', data: 'x' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
    expect(chatResponseToMessages(response({ role: 'assistant', content: '', anthropic_message: own }, 'stop'), USAGE)).toBe(own);
  });
});

describe('toAnthropicStopReason', () => {
  it.each([
    ['stop', null, 'end_turn'],
    ['stop', 'END', 'stop_sequence'],
    ['length', null, 'max_tokens'],
    ['tool_calls', null, 'tool_use'],
    ['content_filter', null, 'refusal'],
  ] as const)('maps %s (stop sequence %s) to %s', (finish, stop, expected) => {
    expect(toAnthropicStopReason(finish, stop)).toBe(expected);
  });
});

describe('parseToolInput', () => {
  it('parses objects, treats empty arguments as {}, and keeps anything else under _raw', () => {
    expect(parseToolInput('{"a":1}')).toEqual({ a: 1 });
    expect(parseToolInput('')).toEqual({});
    expect(parseToolInput('[1]')).toEqual({ _raw: '[1]' });
    expect(parseToolInput('{"a":')).toEqual({ _raw: '{"a":' });
  });
});
