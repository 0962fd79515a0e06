import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

let first: MockOpenAIServer;
let second: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  first = await startMockOpenAIServer({ name: 'first' });
  second = await startMockOpenAIServer({ name: 'second' });
  frugal = await startTestGateway({
    providers: {
      'first-host': { kind: 'openai', base_url: first.baseUrl, api_key: 'sk-first-provider-key-0123456789' },
      'second-host': { kind: 'openai', base_url: second.baseUrl, api_key: 'sk-second-provider-key-0123456789' },
    },
    models: [
      { name: 'a', provider: 'first-host', price: { input: 0.1, output: 0.2 } },
      { name: 'b', provider: 'second-host', price: { input: 0.1, output: 0.2 } },
    ],
    routes: { safe: { strategy: 'fallback', chain: ['a', 'b'], retries: { attempts: 3, base_ms: 50, max_ms: 100 } } },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await first?.close();
  await second?.close();
});

describe('a provider that refuses the gateway’s own key', () => {
  it('is a failure of that deployment: the route falls back at once, without retrying it', async () => {
    for (const status of [401, 403]) {
      const before = first.requests.length;
      const completion = await client.chat.completions.create({ model: 'safe', messages: [{ role: 'user', content: `Hi [[mock(first):status=${status}]]` }] });
      expect(completion.choices[0].message.content).toBeTruthy();
      // One call to the refusing provider, not `attempts` of them: another try with the same key cannot help.
      expect(first.requests.length - before, `HTTP ${status}`).toBe(1);
      const row = frugal.rows.at(-1);
      expect(row).toMatchObject({ status: 'ok', servedModel: 'b' });
      expect(row?.routeTrace).toBe('safe>fallback:a(fail:credentials)>b');
    }
  });

  it('reaches the caller as a 502 naming the provider when nothing else can answer', async () => {
    const error = await client.chat.completions
      .create({ model: 'a', messages: [{ role: 'user', content: 'Hi [[mock(first):status=401,echo_key]]' }] })
      .then(() => undefined, (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error?.status).toBe(502);
    expect(error?.code).toBe('provider_credentials_rejected');
    expect(error?.message).toContain("Provider 'first-host' refused the gateway's own credentials");
    expect(error?.message).not.toContain('sk-first-provider-key');
  });
});
