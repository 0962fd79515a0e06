import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../../testing/start-keyed-gateway.js';

let upstream: MockOpenAIServer;
let frugal: KeyedGateway;
let alice: OpenAI;
let bob: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startKeyedGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
    cache: { enabled: false },
  });
  const issued = await fetch(`${frugal.origin}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bob' }),
  });
  expect(issued.status).toBe(201);
  const { key: bobKey } = (await issued.json()) as { key: string };
  alice = new OpenAI({ apiKey: frugal.apiKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
  bob = new OpenAI({ apiKey: bobKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

describe('stored responses under virtual keys', () => {
  it('keeps each key’s responses to itself: another key is told they do not exist when it reads, lists, continues, references or deletes them', async () => {
    const mine = await alice.responses.create({ model: 'gpt-4o-mini', input: 'A secret for Alice' });
    expect((await alice.responses.retrieve(mine.id)).id).toBe(mine.id);
    const notFound = { status: 404, error: expect.objectContaining({ type: 'not_found_error' }) };
    await expect(bob.responses.retrieve(mine.id)).rejects.toMatchObject(notFound);
    await expect(bob.responses.inputItems.list(mine.id)).rejects.toMatchObject(notFound);
    // As for a response that never existed: OpenAI's 400 previous_response_not_found.
    await expect(bob.responses.create({ model: 'gpt-4o-mini', previous_response_id: mine.id, input: 'What was it?' })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
    await expect(bob.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id: mine.output[0].id! }] })).rejects.toMatchObject({ ...notFound, param: 'input[0].id' });
    await expect(bob.responses.delete(mine.id)).rejects.toMatchObject(notFound);
    // Still there for its owner, who may continue it.
    const next = await alice.responses.create({ model: 'gpt-4o-mini', previous_response_id: mine.id, input: 'What was it?' });
    expect(next.previous_response_id).toBe(mine.id);
    await alice.responses.delete(mine.id);
    await expect(alice.responses.retrieve(mine.id)).rejects.toMatchObject(notFound);
  });

  it('records the key on the ledger row of a Responses request', async () => {
    const before = frugal.rows.length;
    await bob.responses.create({ model: 'gpt-4o-mini', input: 'Hi' });
    await expect.poll(() => frugal.rows.length).toBe(before + 1);
    expect(frugal.rows[before].keyId).not.toBeNull();
    expect(frugal.rows[before].keyId).not.toBe(frugal.rows[0].keyId);
  });

  it('refuses a request without a key before anything is stored', async () => {
    const anonymous = new OpenAI({ apiKey: 'not-a-key', baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
    await expect(anonymous.responses.create({ model: 'gpt-4o-mini', input: 'Hi' })).rejects.toMatchObject({ status: 401 });
  });
});
