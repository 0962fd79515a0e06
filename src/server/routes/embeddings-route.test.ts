import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../../testing/start-keyed-gateway.js';

// /v1/models shows a key limited to some models only those; an embeddings error must not name the others either.
let upstream: MockOpenAIServer;
let gateway: KeyedGateway;
let restricted: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  gateway = await startKeyedGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [
      { name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } },
      { name: 'text-embedding-3-small', provider: 'mock', type: 'embedding', price: { input: 0.02, output: 0 } },
      { name: 'internal-embedder', provider: 'mock', type: 'embedding', price: { input: 0.02, output: 0 } },
    ],
  });
  const response = await fetch(`${gateway.origin}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, 'content-type': 'application/json' },
    // 'retired-embedder' is allowed but no longer configured.
    body: JSON.stringify({ name: `embed-${randomUUID()}`, models: ['gpt-4o-mini', 'text-embedding-3-small', 'retired-embedder'] }),
  });
  expect(response.status).toBe(201);
  restricted = new OpenAI({ apiKey: ((await response.json()) as { key: string }).key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function refusalOf(model: string): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await restricted.embeddings.create({ model, input: 'hello' }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe('POST /v1/embeddings with a key limited to some models', () => {
  it('refuses an unknown model as one the key may not use, naming no model hidden from it', async () => {
    const listed = (await restricted.models.list()).data.map((model) => model.id);
    expect(listed).not.toContain('internal-embedder');
    const error = await refusalOf('no-such-embedder');
    expect(error).toMatchObject({ status: 403, code: 'permission_denied', param: 'model' });
    expect(error.message).not.toContain('internal-embedder');
  });

  it('answers an allowed model that is not configured with the embedding models the key may use only', async () => {
    const error = await refusalOf('retired-embedder');
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(error.message).toContain('text-embedding-3-small');
    expect(error.message).not.toContain('internal-embedder');
  });

  it('still serves an allowed embedding model', async () => {
    const embedding = await restricted.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding.data).toHaveLength(1);
  });
});
