import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// What an Anthropic SDK caller relies on beyond the happy path: ids on errors, Anthropic's statuses, stop reasons
// that drive agent loops, and document blocks that reach a non-Anthropic model.
const KEY = 'sk-ant-test-key-abcdef123456';
let openaiUpstream: MockOpenAIServer;
let anthropicUpstream: MockAnthropicServer;
let frugal: TestGateway;
let client: Anthropic;
let origin: string;

beforeAll(async () => {
  openaiUpstream = await startMockOpenAIServer();
  anthropicUpstream = await startMockAnthropicServer({ apiKey: KEY });
  frugal = await startTestGateway(
    {
      providers: {
        mock: { kind: 'openai', base_url: openaiUpstream.baseUrl },
        anthropic: { kind: 'anthropic', base_url: anthropicUpstream.url, api_key: '${ANTHROPIC_API_KEY}' },
      },
      models: [
        { name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } },
        { name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001' },
      ],
      cache: { enabled: false },
    },
    { ANTHROPIC_API_KEY: KEY },
  );
  origin = frugal.baseUrl.replace(/\/v1$/, '');
  client = new Anthropic({ apiKey: 'unused-without-keys', baseURL: origin, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
});

const TOOL = { name: 'get_weather', input_schema: { type: 'object' as const, properties: { location: { type: 'string' } } } };

async function caught(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(Anthropic.APIError);
  return error as InstanceType<typeof Anthropic.APIError>;
}

describe('errors on /v1/messages carry the request id where Anthropic’s SDK looks for it', () => {
  it('in the request-id header (error.requestID) and the body’s request_id, for every kind of failure', async () => {
    const failures = [
      () => client.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }),
      () => client.messages.countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] }),
      () => client.messages.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'Hi [[mock:status=500]]' }] }),
      () => client.messages.create({ model: 'gpt-4o-mini', max_tokens: 0, messages: [{ role: 'user', content: 'Hi' }] }),
    ];
    for (const failure of failures) {
      const error = await caught(failure());
      expect(error.requestID).toMatch(/^frg-/);
      expect(error.requestID).toBe(error.headers?.get('x-request-id'));
      expect(error.error).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) }, request_id: error.requestID });
    }
    const notJson = await fetch(`${origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(await notJson.json()).toMatchObject({ type: 'error', request_id: notJson.headers.get('x-request-id') });
  });
});

describe('Anthropic’s statuses and error types', () => {
  it('answers an Anthropic upstream’s overload with 529 overloaded_error, as Anthropic does', async () => {
    const error = await caught(client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi [[mock:{"error":{"status":529}}]]' }] }));
    expect(error.status).toBe(529);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('says a field of the wrong type is invalid, not missing', async () => {
    const response = await fetch(`${origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: '10', messages: [{ role: 'user', content: 'Hi' }] }) });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^max_tokens: /);
    expect(body.error.message).not.toContain('Field required');
  });

  it('refuses an empty turn naming the message, as Anthropic does, for any model', async () => {
    for (const model of ['gpt-4o-mini', 'claude-haiku-4-5']) {
      const error = await caught(client.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: [] }, { role: 'user', content: 'Q2' }] }));
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error.error).toMatchObject({ error: { type: 'invalid_request_error', message: 'messages.1: all messages must have non-empty content except for the optional final assistant message' } });
    }
  });
});

describe('stop reasons of an OpenAI-compatible upstream', () => {
  it('is tool_use when the model called a tool but said finish_reason stop (Ollama, vLLM), plain and streamed', async () => {
    const body = { model: 'gpt-4o-mini', max_tokens: 50, tools: [TOOL], messages: [{ role: 'user' as const, content: 'Weather in Paris? [[mock:finish=stop]]' }] };
    const created = await client.messages.create(body);
    expect(created.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    expect(created.stop_reason).toBe('tool_use');
    const streamed = await client.messages.stream(body).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris' } });
    expect(streamed.stop_reason).toBe('tool_use');
  });
});

describe('a Messages request translated for an OpenAI-compatible upstream', () => {
  it('gives the model the text of a plain-text document instead of dropping it', async () => {
    const { response } = await client.messages
      .create({
        model: 'gpt-4o-mini',
        max_tokens: 20,
        messages: [{ role: 'user', content: [{ type: 'document', title: 'Notes', source: { type: 'text', media_type: 'text/plain', data: 'The launch is on Tuesday.' } }, { type: 'text', text: 'When is the launch?' }] }],
      })
      .withResponse();
    expect(response.headers.get('x-frugal-warnings')).toBeNull();
    expect(openaiUpstream.requests.at(-1)?.body?.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Notes' }, { type: 'text', text: 'The launch is on Tuesday.' }, { type: 'text', text: 'When is the launch?' }] },
    ]);
  });

  it('sends no tool_choice when no tool is left for the model (OpenAI refuses one without tools)', async () => {
    const { response } = await client.messages
      .create({ model: 'gpt-4o-mini', max_tokens: 20, tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'News?' }] })
      .withResponse();
    const sent = openaiUpstream.requests.at(-1)?.body ?? {};
    expect(sent).not.toHaveProperty('tool_choice');
    expect(sent).not.toHaveProperty('tools');
    expect(response.headers.get('x-frugal-warnings')).toContain("dropped 'tool_choice'");
  });
});
