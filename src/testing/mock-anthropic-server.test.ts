import Anthropic, { APIError, AuthenticationError, BadRequestError, OverloadedError, RateLimitError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from './mock-anthropic-server.js';

// The official SDK is the judge: if it reads the mock's bytes, so will code written against the real API.
let mock: MockAnthropicServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropicServer({ apiKey: 'sk-ant-test-key' });
  client = new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: mock.url, maxRetries: 0 });
});
afterAll(() => mock.close());

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather',
  input_schema: { type: 'object' as const, properties: { location: { type: 'string' }, unit: { type: 'string' } } },
};

describe('mock Anthropic server, read by @anthropic-ai/sdk', () => {
  it('answers a plain message with Anthropic headers checked and usage reported', async () => {
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi there' }] });
    expect(message.type).toBe('message');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the mock.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('claude-haiku-4-5');
    expect(message.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 4 });
    const recorded = mock.requests.find((request) => request.body?.messages && JSON.stringify(request.body).includes('Hi there'));
    expect(recorded?.headers.authorization).toBe('Bearer sk-ant-test-key');
    expect(recorded?.headers['anthropic-version']).toMatch(/^20\d\d-/);
    expect(await recorded?.outcome).toBe('completed');
  });

  it('streams the exact event sequence, which the SDK accumulates into the same message', async () => {
    mock.setScenario('cached', { text: 'Cached answer here.', usage: { input_tokens: 9, cache_read_input_tokens: 1800, cache_creation_input_tokens: 120 } });
    const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: '[[mock:cached]]' }] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);

    const final = await client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: '[[mock:cached]]' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Cached answer here.' }]);
    expect(final.usage).toMatchObject({ input_tokens: 9, cache_read_input_tokens: 1800, cache_creation_input_tokens: 120, output_tokens: 3 });
    expect(final.stop_reason).toBe('end_turn');
  });

  it('writes SSE bytes in Anthropic layout: event line, compact data line, blank line, ping after the first block start', async () => {
    const response = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-test-key', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    const events = text.split('\n\n');
    expect(events[0]).toMatch(/^event: message_start\ndata: \{"type":"message_start","message":\{"model":"claude-haiku-4-5","id":"msg_01\w+","type":"message","role":"assistant","content":\[\],"stop_reason":null,"stop_sequence":null,"usage":\{"input_tokens":\d+,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":\{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0\},"output_tokens":1,"service_tier":"standard"\}\}\}$/);
    expect(events[1]).toBe('event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}');
    expect(events[2]).toBe('event: ping\ndata: {"type": "ping"}');
    expect(events[3]).toBe('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}');
    expect(events.slice(-3)).toEqual([
      expect.stringMatching(/^event: message_delta\ndata: \{"type":"message_delta","delta":\{"stop_reason":"end_turn","stop_sequence":null\},"usage":\{"input_tokens":\d+,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":4\}\}$/),
      'event: message_stop\ndata: {"type":"message_stop"}',
      '',
    ]);
  });

  it('calls a tool (plain and streamed) and answers the tool result', async () => {
    const request = { model: 'claude-haiku-4-5', max_tokens: 128, tools: [weatherTool], messages: [{ role: 'user' as const, content: 'Weather in Paris?' }] };
    const message = await client.messages.create(request);
    expect(message.stop_reason).toBe('tool_use');
    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } });

    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } });

    const answer = await client.messages.create({
      ...request,
      messages: [
        ...request.messages,
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse?.type === 'tool_use' ? toolUse.id : '', content: '18C and sunny' }] },
      ],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'The tool said: 18C and sunny' }]);
  });

  it('answers HTTP errors in Anthropic shape with retry-after', async () => {
    const overloaded = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: '[[mock:{"error":{"status":529,"retryAfter":"7"}}]]' }] })
      .catch((error: unknown) => error);
    expect(overloaded).toBeInstanceOf(OverloadedError);
    expect((overloaded as APIError).status).toBe(529);
    expect((overloaded as APIError).type).toBe('overloaded_error');
    expect((overloaded as APIError).headers?.get('retry-after')).toBe('7');
    expect((overloaded as APIError).requestID).toMatch(/^req_011/);

    const limited = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: '[[mock:{"error":{"status":429,"retryAfter":"3"}}]]' }] })
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as APIError).type).toBe('rate_limit_error');
  });

  it('fails only the first N requests of a scenario, so the SDK retry (honouring retry-after) succeeds', async () => {
    mock.setScenario('flaky-once', { error: { status: 529, retryAfter: '1', times: 1 } });
    const retrying = new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: mock.url, maxRetries: 1 });
    const message = await retrying.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'again [[mock:flaky-once]]' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the mock.' }]);
    expect(mock.requests.filter((request) => JSON.stringify(request.body).includes('flaky-once'))).toHaveLength(2);
  });

  it('sends an error event mid-stream, which the SDK raises after the first text', async () => {
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: '[[mock:{"streamError":{"type":"overloaded_error","message":"Overloaded"}}]]' }],
    });
    const texts: string[] = [];
    const failure = await (async () => {
      for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') texts.push(event.delta.text);
    })().catch((error: unknown) => error);
    expect(texts).toEqual(['Hello']);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).type).toBe('overloaded_error');
  });

  it('rejects what the real API rejects, with its error shape', async () => {
    const noMaxTokens = await client.messages
      .create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((error: unknown) => error);
    expect(noMaxTokens).toBeInstanceOf(BadRequestError);
    expect((noMaxTokens as APIError).apiMessage).toBe('max_tokens: Field required');

    const orphanResult = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'x' }] }] })
      .catch((error: unknown) => error);
    expect((orphanResult as APIError).apiMessage).toContain('unexpected `tool_use_id` found in `tool_result` blocks: toolu_x');

    const extra = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 16, seed: 1, messages: [{ role: 'user', content: 'Hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((error: unknown) => error);
    expect((extra as APIError).apiMessage).toBe('seed: Extra inputs are not permitted');

    const wrongKey = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: mock.url, maxRetries: 0 });
    const unauthorised = await wrongKey.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(unauthorised).toBeInstanceOf(AuthenticationError);
  });

  it('stops at a stop sequence and at max_tokens as the real API reports it', async () => {
    const stopped = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: '[[mock:{"text":"one two END three"}]]' }],
    });
    expect(stopped).toMatchObject({ content: [{ type: 'text', text: 'one two ' }], stop_reason: 'stop_sequence', stop_sequence: 'END' });
    const truncated = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 2, messages: [{ role: 'user', content: '[[mock:{"text":"one two three four"}]]' }] });
    expect(truncated).toMatchObject({ content: [{ type: 'text', text: 'one two' }], stop_reason: 'max_tokens', usage: { output_tokens: 2 } });
  });
});
