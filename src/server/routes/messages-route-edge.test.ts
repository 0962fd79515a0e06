import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startKeyedGateway } from '../../testing/start-keyed-gateway.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

const KEY = 'sk-ant-test-key-abcdef123456';
let openaiUpstream: MockOpenAIServer;
let anthropicUpstream: MockAnthropicServer;
let frugal: TestGateway;
let client: Anthropic;
let origin: string;

beforeAll(async () => {
  openaiUpstream = await startMockOpenAIServer();
  anthropicUpstream = await startMockAnthropicServer({ apiKey: KEY });
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: openaiUpstream.baseUrl } },
    models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
  });
  origin = frugal.baseUrl.replace(/\/v1$/, '');
  client = new Anthropic({ apiKey: 'unused-without-keys', baseURL: origin, maxRetries: 0 });
  anthropicUpstream.setScenario('thinking', { thinking: 'Let me think.', text: 'Four.' });
});

afterAll(async () => {
  await frugal?.close();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
});

describe('errors on /v1/messages come in Anthropic’s shape', () => {
  it('refuses a request without max_tokens as invalid_request_error', async () => {
    const response = await fetch(`${origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' }, request_id: response.headers.get('request-id') });
  });

  it('answers an unknown model with not_found_error through the SDK', async () => {
    const error = await client.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const counted = await client.messages.countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(counted).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('answers an edge limit (JSON nested too deep) in Anthropic’s shape', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const response = await fetch(`${origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"model":"gpt-4o-mini","max_tokens":5,"messages":${deep}}` });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_json_depth') } });
  });

  it('answers a body that is not JSON and an unknown path below /v1/messages in Anthropic’s shape', async () => {
    const broken = await fetch(`${origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const missing = await fetch(`${origin}/v1/messages/count_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('gives an unknown path below /v1/messages its request_id, in the body and the request-id header, as every Anthropic error', async () => {
    const missing = await client.post('/v1/messages/count_token', { body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    const error = missing as InstanceType<typeof Anthropic.NotFoundError>;
    expect(error.requestID).toEqual(expect.any(String));
    expect(error.error).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.any(String) }, request_id: error.requestID });
    expect(error.headers?.get('x-request-id')).toBe(error.requestID);
  });
});

describe('virtual keys on /v1/messages', () => {
  it('takes the key from x-api-key and refuses a bad one in Anthropic’s shape', async () => {
    const keyed = await startKeyedGateway({
      providers: { mock: { kind: 'openai', base_url: openaiUpstream.baseUrl } },
      models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
    });
    try {
      const good = new Anthropic({ apiKey: keyed.apiKey, baseURL: keyed.origin, maxRetries: 0 });
      const message = await good.messages.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] });
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the mock.' }]);
      const bad = new Anthropic({ apiKey: 'fk-not-a-real-key', baseURL: keyed.origin, maxRetries: 0 });
      const error = await bad.messages.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      const refused = error as InstanceType<typeof Anthropic.AuthenticationError>;
      expect(refused.error).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'The API key is unknown, revoked or expired.' }, request_id: refused.requestID });
      const counted = await bad.messages.countTokens({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
      expect(counted).toBeInstanceOf(Anthropic.AuthenticationError);
    } finally {
      await keyed.close();
    }
  });
});

describe('the response cache on /v1/messages with an Anthropic upstream', () => {
  it('serves a cached thinking answer with its signature, plain and streamed', async () => {
    const cached = await startTestGateway(
      {
        providers: { anthropic: { kind: 'anthropic', base_url: anthropicUpstream.url, api_key: '${ANTHROPIC_API_KEY}' } },
        models: [{ name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001' }],
      },
      { ANTHROPIC_API_KEY: KEY },
    );
    try {
      const cachedClient = new Anthropic({ apiKey: 'unused', baseURL: cached.baseUrl.replace(/\/v1$/, ''), maxRetries: 0 });
      const body = { model: 'claude-haiku-4-5', max_tokens: 2048, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, messages: [{ role: 'user' as const, content: 'Cache me [[mock:thinking]]' }] };
      const calls = anthropicUpstream.requests.length;
      // Thinking needs temperature 1, above the cache's default limit: the client opts in.
      const optIn = { headers: { 'x-frugal-cache': 'ttl=60' } };
      const first = await cachedClient.messages.stream(body, optIn).finalMessage();
      const { data: second, response } = await cachedClient.messages.create(body, optIn).withResponse();
      expect(response.headers.get('x-frugal-cache')).toBe('hit');
      expect(anthropicUpstream.requests.length).toBe(calls + 1);
      expect(second.content).toEqual(first.content);
      expect((second.content[0] as { signature: string }).signature).toMatch(/^EqQBCgIYAhIMmock/);
      const replayed = await cachedClient.messages.stream(body, optIn).finalMessage();
      expect(replayed.content).toEqual(first.content);
      expect(anthropicUpstream.requests.length).toBe(calls + 1);
    } finally {
      await cached.close();
    }
  });
});

describe('a Messages request served by a non-Anthropic model', () => {
  it('names what the translation dropped in x-frugal-warnings', async () => {
    const { response } = await client.messages
      .create({
        model: 'gpt-4o-mini',
        max_tokens: 20,
        messages: [
          { role: 'user', content: 'Q' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'Hmm.', signature: 'sig' }, { type: 'text', text: 'A' }] },
          { role: 'user', content: 'Q2' },
        ],
      })
      .withResponse();
    expect(response.headers.get('x-frugal-warnings')).toContain("dropped 'thinking' blocks of earlier turns");
    const sent = openaiUpstream.requests.at(-1)!;
    expect(JSON.stringify(sent.body)).not.toContain('sig');
    expect(sent.body?.messages).toEqual([{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'A' }, { role: 'user', content: 'Q2' }]);
  });
});
