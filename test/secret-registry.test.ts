import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../src/testing/mock-openai-server.js';
import { startQualityGateway, type QualityGateway } from '../src/testing/start-quality-gateway.js';

// Secrets with no recognisable shape (openssl rand -base64 32): only the registry of configured credentials finds them.
const MASTER_KEY = 'c2VjcmV0LXJlZ2lzdHJ5LW1hc3Rlci1rZXk+/w==';
const METRICS_TOKEN = 'bWV0cmljcy10b2tlbi1zZWNyZXQtcmVnaXN0cnk=';
const SESSION_SECRET = 'session-secret-of-the-registry-test';
const PROVIDER_KEY = 'provider-key-without-a-known-prefix-0123';

let upstream: MockOpenAIServer;
let frugal: QualityGateway;
beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startQualityGateway({
    providers: { up: { kind: 'openai', base_url: upstream.baseUrl, api_key: PROVIDER_KEY } },
    models: [{ name: 'm', provider: 'up', price: { input: 1, output: 1 } }],
    quality: { routes: { m: { sample: 1 } } },
    admin: { master_key: MASTER_KEY, session_secret: SESSION_SECRET },
    server: { metrics: { token: METRICS_TOKEN } },
  });
});
afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

describe('one registry of credentials', () => {
  it("keeps the gateway's own secrets, not only provider keys, out of what a sample stores", async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: frugal.baseUrl, maxRetries: 0 });
    const content = `master ${MASTER_KEY} metrics ${METRICS_TOKEN} session ${SESSION_SECRET} provider ${PROVIDER_KEY} [[mock:content=echo ${MASTER_KEY}]]`;
    const { response } = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] }).withResponse();
    const id = response.headers.get('x-frugal-request-id')!;
    const sample = await frugal.eventually(() => frugal.samples.get(id), 'the sample');
    const stored = JSON.stringify(sample);
    for (const secret of [MASTER_KEY, METRICS_TOKEN, SESSION_SECRET, PROVIDER_KEY]) expect(stored).not.toContain(secret);
    expect(stored).toContain('master [redacted] metrics [redacted] session [redacted] provider [redacted]');
  });
});
