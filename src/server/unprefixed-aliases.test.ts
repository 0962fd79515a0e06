import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { sendRaw } from '../testing/send-raw.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../testing/start-keyed-gateway.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let open: TestGateway;
let keyed: KeyedGateway;
let origin: string;

const config = () => ({
  providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
  models: [
    { name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } },
    { name: 'text-embedding-3-small', provider: 'mock', type: 'embedding', price: { input: 0.02, output: 0 } },
  ],
});

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  open = await startTestGateway(config());
  origin = open.baseUrl.replace(/\/v1$/, '');
  // A /v1 route registered after the built-in ones (as the Responses and Messages routes are) gets its alias too.
  keyed = await startKeyedGateway(config(), {}, (app) => app.get('/v1/added-later', async () => ({ served: true })));
});

afterAll(async () => {
  await open?.close();
  await keyed?.close();
  await upstream?.close();
});

describe('the API without the /v1 prefix', () => {
  it('serves the OpenAI SDK with a base URL that has no /v1: chat, stream, embeddings, models', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: origin, maxRetries: 0 });
    const before = open.rows.length;
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('Hello from the mock.');
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] })) {
      streamed += chunk.choices[0]?.delta.content ?? '';
    }
    expect(streamed).toBe('Hello from the mock.');
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding.data[0].embedding.length).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
    await expect(client.models.retrieve('gpt-4o-mini')).resolves.toMatchObject({ id: 'gpt-4o-mini', object: 'model' });
    // Each one went through the pipeline and the ledger like its /v1 twin.
    const rows = await open.waitForRows(before + 3);
    expect(rows.slice(before).map((row) => row.servedModel).sort()).toEqual(['gpt-4o-mini', 'gpt-4o-mini', 'text-embedding-3-small']);
  });

  it('applies the same access rule: a key on every alias, including a route added later', async () => {
    for (const path of ['/chat/completions', '/embeddings']) {
      const reply = await sendRaw(keyed.port, `POST ${path} HTTP/1.1\r\ncontent-type: application/json`, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
      expect(reply.status, path).toBe(401);
    }
    for (const path of ['/models', '/models/gpt-4o-mini', '/added-later']) {
      expect((await sendRaw(keyed.port, `GET ${path} HTTP/1.1`)).status, path).toBe(401);
      expect((await sendRaw(keyed.port, `GET ${path} HTTP/1.1\r\nauthorization: Bearer ${keyed.apiKey}`)).status, path).toBe(200);
    }
    const client = new OpenAI({ apiKey: keyed.apiKey, baseURL: keyed.origin, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).resolves.toMatchObject({ object: 'chat.completion' });
    await expect(new OpenAI({ apiKey: 'wrong', baseURL: keyed.origin, maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
  });

  it('aliases nothing outside /v1 and refuses non-canonical spellings of an alias', async () => {
    for (const path of ['/v1/healthz', '/v1/admin/keys', '/v1/metrics', '/completions']) {
      expect((await sendRaw(keyed.port, `GET ${path} HTTP/1.1\r\nauthorization: Bearer ${TEST_MASTER_KEY}`)).status, path).toBe(404);
    }
    for (const path of ['/%63hat/completions', '//chat/completions', '/./models']) {
      const reply = await sendRaw(keyed.port, `GET ${path} HTTP/1.1\r\nauthorization: Bearer ${keyed.apiKey}`);
      expect(reply.status, path).toBe(400);
      expect(JSON.parse(reply.body).error.code, path).toBe('invalid_path');
    }
  });
});
