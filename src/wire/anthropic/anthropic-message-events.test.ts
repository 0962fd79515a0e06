import { describe, expect, it } from 'vitest';
import { AnthropicMessageAssembler, anthropicMessageEvents } from './anthropic-message-events.js';
import type { AnthropicResponse, AnthropicStreamEvent } from './anthropic-types.js';

const MESSAGE: AnthropicResponse = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5-20251001',
  content: [
    { type: 'thinking', thinking: 'Two and two.', signature: 'EqQBsig' },
    { type: 'text', text: 'Four.' },
    { type: 'tool_use', id: 'toolu_1', name: 'calc', input: { expression: '2+2' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 9 },
};

describe('anthropicMessageEvents', () => {
  it('streams a whole message as Anthropic would: shells first, then deltas, signature last in its thinking block', () => {
    const events = anthropicMessageEvents(MESSAGE);
    expect(events.map((event) => (event.type === 'content_block_delta' ? `${event.index}:${event.delta.type}` : event.type))).toEqual([
      'message_start', 'content_block_start', 'ping', '0:thinking_delta', '0:signature_delta', 'content_block_stop',
      'content_block_start', '1:text_delta', 'content_block_stop',
      'content_block_start', '2:input_json_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    expect(events[0]).toEqual({ type: 'message_start', message: { ...MESSAGE, content: [], stop_reason: null, stop_sequence: null, usage: { ...MESSAGE.usage, output_tokens: 1 } } });
    expect(events[9]).toEqual({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'calc', input: {} } });
  });
});

describe('AnthropicMessageAssembler', () => {
  it('rebuilds the message its events stand for', () => {
    const assembler = new AnthropicMessageAssembler();
    for (const event of anthropicMessageEvents(MESSAGE)) assembler.add(event);
    expect(assembler.toMessage()).toEqual(MESSAGE);
  });

  it('joins input JSON pieces and keeps redacted thinking as it came', () => {
    const events: AnthropicStreamEvent[] = [
      { type: 'message_start', message: { ...MESSAGE, content: [], stop_reason: null, usage: { input_tokens: 12, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'opaque' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't', name: 'n', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 7 } },
    ];
    const assembler = new AnthropicMessageAssembler();
    for (const event of events) assembler.add(event);
    expect(assembler.toMessage()).toBeUndefined();
    assembler.add({ type: 'message_stop' });
    expect(assembler.toMessage()).toMatchObject({
      content: [{ type: 'redacted_thinking', data: 'opaque' }, { type: 'tool_use', id: 't', name: 'n', input: { a: 1 } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 12, output_tokens: 7 },
    });
  });
});
