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

describe('the stop of a translated answer', () => {
  const call = { id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{}' } };

  it('is tool_use whenever the answer holds tool calls, even when the upstream said stop (Ollama, vLLM)', () => {
    const converted = chatResponseToMessages(response({ role: 'assistant', content: null, tool_calls: [call] }, 'stop'), USAGE);
    expect(converted).toMatchObject({ stop_reason: 'tool_use', stop_sequence: null });
    // Calls cut by the limit are still max_tokens: their input may be incomplete.
    expect(chatResponseToMessages(response({ role: 'assistant', content: null, tool_calls: [call] }, 'length'), USAGE).stop_reason).toBe('max_tokens');
  });

  it('turns an OpenAI refusal into text with stop reason refusal, not an empty answer', () => {
    const converted = chatResponseToMessages(response({ role: 'assistant', content: null, refusal: 'I can’t help with that.' }, 'stop'), USAGE);
    expect(converted).toMatchObject({ content: [{ type: 'text', text: 'I can’t help with that.' }], stop_reason: 'refusal', stop_sequence: null });
  });

  it('names the stop sequence an upstream says matched (vLLM stop_reason) when the client asked for it', () => {
    const matched = response({ role: 'assistant', content: 'One, two' }, 'stop');
    matched.choices[0].stop_reason = '###';
    expect(chatResponseToMessages(matched, USAGE, ['###', 'END'])).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '###' });
    // A token id or a string the client never sent is not a stop sequence.
    expect(chatResponseToMessages(matched, USAGE, ['END'])).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
    matched.choices[0].stop_reason = 128001;
    expect(chatResponseToMessages(matched, USAGE, ['END'])).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
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
