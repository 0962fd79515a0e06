import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChunkDelta, FinishReason } from '../chat-types.js';
import type { TokenUsage } from '../token-usage.js';
import { ANTHROPIC_EVENTS, type ChunkWithAnthropicEvents } from './anthropic-native.js';
import type { AnthropicStreamEvent } from './anthropic-types.js';
import { createMessagesStreamEncoder } from './messages-stream-encoder.js';

const ESTIMATE: TokenUsage = { promptTokens: 25, completionTokens: 0, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: true };
const FINAL: TokenUsage = { promptTokens: 25, completionTokens: 15, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };

function chunk(delta: ChunkDelta, finishReason: FinishReason = null): ChatChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

function encode(chunks: ChatChunk[], usage: TokenUsage | null = FINAL): AnthropicStreamEvent[] {
  const encoder = createMessagesStreamEncoder({ estimatedInput: ESTIMATE });
  return [...chunks.flatMap((item) => encoder.push(item)), ...encoder.finish(usage ?? undefined)];
}

describe('createMessagesStreamEncoder', () => {
  it('emits a text answer exactly as Anthropic streams one (recorded sequence)', () => {
    const events = encode([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hello' }), chunk({ content: '!' }), chunk({}, 'stop')]);
    // Anthropic's documented stream for "Hello!" (message id and model aside): one text block, a ping after its start.
    expect(events).toEqual([
      { type: 'message_start', message: { id: 'msg_chatcmpl-1', type: 'message', role: 'assistant', model: 'gpt-4o-mini', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '!' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 15 } },
      { type: 'message_stop' },
    ]);
  });

  it('puts reasoning in its own thinking block before the text, never inside it', () => {
    const events = encode([chunk({ role: 'assistant', reasoning_content: 'Two and ' }), chunk({ reasoning_content: 'two.' }), chunk({ content: 'Four.' }), chunk({}, 'stop')]);
    expect(events.slice(1, 9)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two and ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'two.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Four.' } },
      { type: 'content_block_stop', index: 1 },
    ]);
  });

  it('streams each tool call as its own tool_use block, arguments as input_json_delta', () => {
    const events = encode([
      chunk({ role: 'assistant', content: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(events.slice(1, -2)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"location":' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} } },
      // A call without arguments still gets its input: no client sees a tool_use block with nothing streamed.
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 1 },
    ]);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'tool_use' } });
  });

  it('ends a stream that called tools with tool_use even when the upstream finished with stop', () => {
    const events = encode([
      chunk({ role: 'assistant', content: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] }),
      chunk({}, 'stop'),
    ]);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null } });
  });

  it('streams an OpenAI refusal as text and ends it with stop reason refusal', () => {
    const events = encode([chunk({ role: 'assistant', content: null, refusal: '' }), chunk({ refusal: 'I can’t ' }), chunk({ refusal: 'help.' }), chunk({}, 'stop')]);
    expect(events.slice(1, -2)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'I can’t ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'help.' } },
      { type: 'content_block_stop', index: 0 },
    ]);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'refusal', stop_sequence: null } });
  });

  it('names the stop sequence a vLLM upstream reports in its last chunk', () => {
    const last = chunk({}, 'stop');
    Object.assign(last.choices[0], { stop_reason: 'END' });
    const encoder = createMessagesStreamEncoder({ estimatedInput: ESTIMATE, stopSequences: ['END'] });
    const events = [...encoder.push(chunk({ content: 'One, two' })), ...encoder.push(last), ...encoder.finish(FINAL)];
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' } });
  });

  it('maps length to max_tokens and takes usage from the usage chunk when the pipeline has none', () => {
    const usageChunk: ChatChunk = { ...chunk({}), choices: [], usage: { prompt_tokens: 30, completion_tokens: 7, total_tokens: 37, prompt_tokens_details: { cached_tokens: 10 } } };
    const events = encode([chunk({ content: 'Cut' }), chunk({}, 'length'), usageChunk], null);
    expect(events.at(-2)).toEqual({ type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 10, output_tokens: 7 } });
  });

  it('passes an Anthropic upstream’s own events through verbatim', () => {
    const upstream: AnthropicStreamEvent[] = [
      { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'abc' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ];
    const chunks = upstream.map((event): ChatChunk => {
      const carrier: ChunkWithAnthropicEvents = { ...chunk({}), choices: [] };
      carrier[ANTHROPIC_EVENTS] = [event];
      return carrier;
    });
    expect(encode(chunks)).toEqual(upstream);
  });

  it('closes a native stream whose message_stop was not carried', () => {
    const carrier: ChunkWithAnthropicEvents = { ...chunk({}), choices: [] };
    carrier[ANTHROPIC_EVENTS] = [{ type: 'ping' }];
    expect(encode([carrier])).toEqual([{ type: 'ping' }, { type: 'message_stop' }]);
  });
});
