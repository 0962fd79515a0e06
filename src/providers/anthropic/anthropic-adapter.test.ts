import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk, ChatRequest } from '../../wire/chat-types.js';
import type { ProviderAdapter } from '../provider-adapter.js';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { createAnthropicAdapter } from './anthropic-adapter.js';

const API_KEY = 'sk-ant-api03-adapter-test-key-0123456789';
const NOW = Date.parse('2025-06-01T00:00:00Z');
let mock: MockAnthropicServer;
let adapter: ProviderAdapter;

beforeAll(async () => {
  mock = await startMockAnthropicServer({ apiKey: API_KEY });
  adapter = createAnthropicAdapter({ name: 'claude', baseUrl: mock.url, apiKey: API_KEY, now: () => NOW });
});
afterAll(async () => {
  await adapter.close();
  await mock.close();
});

const call = () => ({ signal: new AbortController().signal });
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content }], ...extra });
const recorded = (marker: string) => mock.requests.filter((request) => JSON.stringify(request.body).includes(marker));

async function failure(promise: Promise<unknown>): Promise<FrugalError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof FrugalError)) throw new Error(`expected a FrugalError, got ${String(error)}`);
  return error;
}

async function drain(chunks: AsyncIterable<ChatChunk>): Promise<{ chunks: ChatChunk[]; error: unknown }> {
  const seen: ChatChunk[] = [];
  try {
    for await (const chunk of chunks) seen.push(chunk);
    return { chunks: seen, error: undefined };
  } catch (error) {
    return { chunks: seen, error };
  }
}

const weatherTool = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };

describe('Anthropic adapter against the mock Messages API', () => {
  it('answers a plain chat in OpenAI shape, sending x-api-key and anthropic-version', async () => {
    const result = await adapter.chat(ask('plain hello', { max_tokens: undefined }), call());
    expect(result.response).toMatchObject({
      object: 'chat.completion',
      created: NOW / 1000,
      model: 'claude-haiku-4-5',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the mock.' }, finish_reason: 'stop' }],
    });
    expect(result.response.id).toMatch(/^msg_01/);
    expect(result.usage).toMatchObject({ completionTokens: 4, cachedPromptTokens: 0, cacheCreationTokens: 0, estimated: false });
    expect(result.warnings).toEqual(['max_tokens not set; sent 4096 (Anthropic requires a limit)']);
    const [sent] = recorded('plain hello');
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(API_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toEqual({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'plain hello' }], max_tokens: 4096 });
  });

  it('streams chunks with the role first, finish_reason, then usage including cache tokens', async () => {
    mock.setScenario('adapter-cached', { text: 'Cached words here.', usage: { input_tokens: 11, cache_read_input_tokens: 4000, cache_creation_input_tokens: 250 } });
    const result = await adapter.streamChat(ask('[[mock:adapter-cached]]', { stream: true }), call());
    const { chunks, error } = await drain(result.chunks);
    expect(error).toBeUndefined();
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Cached words here.');
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    expect(chunks[chunks.length - 1]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 4261, completion_tokens: 3, total_tokens: 4264, prompt_tokens_details: { cached_tokens: 4000 } },
    });
    expect(result.usage()).toEqual({ promptTokens: 4261, completionTokens: 3, cachedPromptTokens: 4000, cacheCreationTokens: 250, reasoningTokens: 0, estimated: false });
    expect(recorded('adapter-cached')[0].body?.stream).toBe(true);
  });

  it('round-trips a tool call: tool_calls out, tool results back in, accepted by the API pairing rules', async () => {
    const request = ask('What is the weather in Paris?', { tools: [weatherTool] });
    const first = await adapter.chat(request, call());
    const message = first.response.choices[0].message;
    expect(first.response.choices[0].finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([{ id: expect.stringMatching(/^toolu_01/), type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' } }]);

    const followUp: ChatRequest = {
      ...request,
      messages: [...request.messages, message, { role: 'tool', tool_call_id: message.tool_calls?.[0].id, content: '18C and sunny' }],
    };
    const second = await adapter.chat(followUp, call());
    expect(second.response.choices[0].message.content).toBe('The tool said: 18C and sunny');

    const streamed = await adapter.streamChat({ ...request, stream: true }, call());
    const { chunks } = await drain(streamed.chunks);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^toolu_01/), type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.map((delta) => delta.function?.arguments ?? '').join('')).toBe('{"location":"Paris","unit":"celsius"}');
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('turns overloaded (529) into a retryable 503 FrugalError with retry-after', async () => {
    const error = await failure(adapter.chat(ask('[[mock:{"error":{"status":529,"retryAfter":"7"}}]]'), call()));
    expect(error).toMatchObject({ code: 'upstream_error', status: 503, retryable: true, retryAfterSeconds: 7, upstreamCode: 'overloaded_error' });
  });

  it('turns 429 into upstream_rate_limited, and a 400 into a non-retryable error', async () => {
    const limited = await failure(adapter.streamChat(ask('[[mock:{"error":{"status":429,"retryAfter":"2"}}]]', { stream: true }), call()));
    expect(limited).toMatchObject({ code: 'upstream_rate_limited', status: 429, retryable: true, retryAfterSeconds: 2, upstreamCode: 'rate_limit_error' });
    const invalid = await failure(adapter.chat(ask('[[mock:{"error":{"status":400,"message":"prompt is too long: 210000 tokens > 200000 maximum"}}]]'), call()));
    expect(invalid).toMatchObject({ code: 'upstream_error', status: 400, retryable: false, upstreamCode: 'invalid_request_error' });
  });

  it('never lets the API key reach an error message', async () => {
    const wrongKey = 'sk-ant-api03-WRONG-key-that-must-not-leak';
    const other = createAnthropicAdapter({ name: 'claude', baseUrl: mock.url, apiKey: wrongKey });
    const rejected = await failure(other.chat(ask(`[[mock:{"error":{"status":401,"message":"invalid x-api-key ${wrongKey}"}}]]`), call()));
    expect(rejected).toMatchObject({ status: 502, upstreamCode: 'provider_credentials_rejected', upstreamFailure: true });
    expect(rejected.message).not.toContain('WRONG-key');
    await other.close();

    const unreachable = createAnthropicAdapter({ name: 'claude', baseUrl: 'http://127.0.0.1:1', apiKey: wrongKey });
    const refused = await failure(unreachable.chat(ask('hi'), call()));
    expect(refused.code).toBe('upstream_unreachable');
    expect(refused.message).not.toContain('WRONG-key');
    await unreachable.close();
  });

  it('fails streamChat itself when the error event comes before any content, so the pipeline can fall back', async () => {
    const error = await failure(adapter.streamChat(ask('[[mock:{"streamError":{"type":"overloaded_error","message":"Overloaded","afterEvents":0}}]]', { stream: true }), call()));
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true, upstreamCode: 'overloaded_error' });
  });

  it('throws FrugalError from the chunks when an error event arrives mid-stream', async () => {
    const result = await adapter.streamChat(ask('[[mock:{"streamError":{"type":"overloaded_error","message":"Overloaded"}}]]', { stream: true }), call());
    const { chunks, error } = await drain(result.chunks);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['', 'Hello']);
    expect(error).toBeInstanceOf(FrugalError);
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true, upstreamCode: 'overloaded_error' });
  });

  it('stops the upstream request when the signal aborts mid-stream', async () => {
    mock.setScenario('adapter-slow', { text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), eventGapMs: 20 });
    const controller = new AbortController();
    const result = await adapter.streamChat(ask('[[mock:adapter-slow]] abort me', { stream: true }), { signal: controller.signal });
    const seen: ChatChunk[] = [];
    const error = await (async () => {
      for await (const chunk of result.chunks) {
        seen.push(chunk);
        if (seen.length === 3) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FrugalError);
    expect((error as FrugalError).code).toBe('upstream_timeout');
    expect(seen.length).toBeLessThan(50);
    expect(await recorded('abort me')[0].outcome).toBe('aborted');
  });

  it('stops the upstream request when the consumer stops reading', async () => {
    const result = await adapter.streamChat(ask('[[mock:adapter-slow]] break early', { stream: true }), call());
    for await (const chunk of result.chunks) if (chunk.choices[0]?.delta.content) break;
    expect(await recorded('break early')[0].outcome).toBe('aborted');
  });

  it('refuses unsupported parameters before calling upstream', async () => {
    const before = mock.requests.length;
    const error = await failure(adapter.chat(ask('two answers please', { n: 2 }), call()));
    expect(error).toMatchObject({ code: 'not_supported', param: 'n' });
    expect(mock.requests.length).toBe(before);
  });

  it('has no embeddings', async () => {
    const error = await failure(adapter.embed({ model: 'claude-haiku-4-5', input: 'x' }, call()));
    expect(error.code).toBe('not_supported');
  });

  it('accepts a base URL that already ends in /v1', async () => {
    const withV1 = createAnthropicAdapter({ name: 'claude', baseUrl: `${mock.url}/v1/`, apiKey: API_KEY });
    const result = await withV1.chat(ask('base url with v1'), call());
    expect(result.response.choices[0].message.content).toBe('Hello from the mock.');
    expect(recorded('base url with v1')[0].path).toBe('/v1/messages');
    await withV1.close();
  });
});
