import { describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk } from '../../wire/chat-types.js';
import { parseSse } from '../../wire/sse/parse-sse.js';
import { convertAnthropicStream, createAnthropicStreamConverter } from './anthropic-stream.js';

// Byte layout as the Messages API sends it (event line, data line, blank line; compact JSON in Anthropic's order).
const TEXT_STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_01QC4g3HwBThD4BaNtBckFDJ","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: ping\ndata: {"type": "ping"}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"! How are you?"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":30}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];

const TOOL_STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"Paris\\"}"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_02","name":"now","input":{}}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":2}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];

async function* bytes(parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function collect(parts: string[]) {
  const converter = createAnthropicStreamConverter({ provider: 'claude', createdSeconds: 1_700_000_000 });
  const chunks: ChatChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of convertAnthropicStream(parseSse(bytes(parts)), converter, 'claude')) chunks.push(chunk);
  } catch (caught) {
    error = caught;
  }
  return { chunks, error, converter };
}

describe('anthropic stream → OpenAI chunks', () => {
  it('turns a text stream into role, content, finish and usage chunks', async () => {
    const { chunks, error, converter } = await collect(TEXT_STREAM);
    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => [chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason])).toEqual([
      [{ role: 'assistant', content: '' }, null],
      [{ content: 'Hello' }, null],
      [{ content: '! How are you?' }, null],
      [{}, 'stop'],
      [undefined, undefined],
    ]);
    expect(chunks[0]).toEqual({
      id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      system_fingerprint: null,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    });
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: 2112,
      completion_tokens: 30,
      total_tokens: 2142,
      prompt_tokens_details: { cached_tokens: 2000 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(converter.usage()).toEqual({ promptTokens: 2112, completionTokens: 30, cachedPromptTokens: 2000, cacheCreationTokens: 100, reasoningTokens: 0, estimated: false });
  });

  it('reports usage as it accumulates: input from message_start, output from message_delta', () => {
    const converter = createAnthropicStreamConverter({ provider: 'claude', createdSeconds: 0 });
    expect(converter.usage()).toBeUndefined();
    converter.push({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 40, output_tokens: 1 } } });
    expect(converter.usage()).toMatchObject({ promptTokens: 40, completionTokens: 1 });
    converter.push({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } });
    expect(converter.usage()).toMatchObject({ promptTokens: 40, completionTokens: 15 });
  });

  it('turns tool_use blocks into tool call deltas indexed by tool, not by content block', async () => {
    const { chunks, error } = await collect(TOOL_STREAM);
    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Checking.' },
      { tool_calls: [{ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ' "Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'toolu_02', type: 'function', function: { name: 'now', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
      {},
      undefined,
    ]);
    expect(chunks[7].choices[0].finish_reason).toBe('tool_calls');
    expect(chunks[8].usage).toMatchObject({ prompt_tokens: 472, completion_tokens: 89 });
  });

  it('streams thinking as reasoning_content, never as content', () => {
    const converter = createAnthropicStreamConverter({ provider: 'claude', createdSeconds: 0 });
    converter.push({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1 } } });
    expect(converter.push({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } })).toEqual([]);
    const [chunk] = converter.push({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me think' } });
    expect(chunk.choices[0].delta).toEqual({ reasoning_content: 'Let me think' });
    expect(converter.push({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } })).toEqual([]);
  });

  it('throws a retryable FrugalError for an overloaded error event mid-stream, after the chunks before it', async () => {
    const parts = [
      ...TEXT_STREAM.slice(0, 4),
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    ];
    const { chunks, error } = await collect(parts);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello' }]);
    expect(error).toBeInstanceOf(FrugalError);
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true, upstreamCode: 'overloaded_error' });
  });

  it('fails a stream cut before message_stop instead of passing it off as complete', async () => {
    const { error } = await collect(TEXT_STREAM.slice(0, 5));
    expect(error).toMatchObject({ code: 'upstream_bad_response' });
  });

  it('ignores event types it does not know', async () => {
    const parts = [...TEXT_STREAM.slice(0, 2), 'event: future_event\ndata: {"type":"future_event","x":1}\n\n', ...TEXT_STREAM.slice(2)];
    const { chunks, error } = await collect(parts);
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(5);
  });

  it('refuses content before message_start', () => {
    const converter = createAnthropicStreamConverter({ provider: 'claude', createdSeconds: 0 });
    expect(() => converter.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } })).toThrow(FrugalError);
  });

  it('rejects data that is not JSON', async () => {
    const { error } = await collect(['event: message_start\ndata: {"type":\n\n']);
    expect(error).toMatchObject({ code: 'upstream_bad_response' });
  });
});
