import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [
      { name: 'cheap', provider: 'mock', price: { input: 0.15, output: 0.6 } },
      { name: 'dear', provider: 'mock', price: { input: 1000, output: 1000 } },
    ],
    cache: { enabled: true },
    budgets: [{ scope: 'global', limit_usd: '0.01', period: 'day' }],
  });
  client = new OpenAI({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

describe('the chat pipeline behind /v1/responses', () => {
  it('answers a repeated low-temperature request from the response cache, streamed or not, at no cost', async () => {
    const first = await client.responses.create({ model: 'cheap', input: 'Cache me', temperature: 0 }).withResponse();
    expect(first.response.headers.get('x-frugal-cache')).toBe('miss');
    const upstreamCalls = upstream.requests.length;
    const again = await client.responses.create({ model: 'cheap', input: 'Cache me', temperature: 0 }).withResponse();
    expect(again.response.headers.get('x-frugal-cache')).toBe('hit');
    expect(again.data.output_text).toBe('Hello from the mock.');
    // A new response of its own, though its answer came from the cache.
    expect(again.data.id).not.toBe(first.data.id);
    const streamed = await client.responses.stream({ model: 'cheap', input: 'Cache me', temperature: 0 }).finalResponse();
    expect(streamed.output_text).toBe('Hello from the mock.');
    expect(upstream.requests.length).toBe(upstreamCalls);
    const hitRow = frugal.rows.find((row) => row.id === again.response.headers.get('x-frugal-request-id'));
    expect(hitRow).toMatchObject({ cacheStatus: 'hit', costNanos: 0 });
  });

  it('refuses past the budget with 429 in OpenAI’s error shape, before any upstream call', async () => {
    const upstreamCalls = upstream.requests.length;
    const refused = await client.responses.create({ model: 'dear', input: 'Expensive', max_output_tokens: 1000 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'budget_exceeded' });
    expect(upstream.requests.length).toBe(upstreamCalls);
  });

  it('answers an unknown model with the pipeline’s 404 model_not_found, one status for the code on every door', async () => {
    await expect(client.responses.create({ model: 'no-such-model', input: 'Hi' })).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });
});
