import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { sendBytes, sendRaw } from '../testing/send-raw.js';
import { startKeyedGateway, type KeyedGateway } from '../testing/start-keyed-gateway.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let keyed: KeyedGateway;
let client: OpenAI;
let port: number;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  const config = {
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [
      { name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } },
      { name: 'text-embedding-3-small', provider: 'mock', type: 'embedding', price: { input: 0.02, output: 0 } },
    ],
  };
  frugal = await startTestGateway(config);
  keyed = await startKeyedGateway(config);
  client = new OpenAI({ apiKey: 'unused', baseURL: frugal.baseUrl, maxRetries: 0 });
  port = Number(new URL(frugal.baseUrl).port);
});

afterAll(async () => {
  await frugal?.close();
  await keyed?.close();
  await upstream?.close();
});

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof OpenAI.APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  return error;
}

const ID = /^frg-[0-9a-f-]{36}$/;
const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe('x-request-id on every reply, the same id as x-frugal-request-id and the ledger row', () => {
  it('gives the OpenAI SDK its _request_id on a completion and an embedding', async () => {
    const pending = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const { response } = await pending.withResponse();
    const completion = await pending;
    expect(completion._request_id).toMatch(ID);
    expect(response.headers.get('x-frugal-request-id')).toBe(completion._request_id);
    await frugal.waitForRows(1);
    expect(frugal.rows.map((row) => row.id)).toContain(completion._request_id);

    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding._request_id).toMatch(ID);
    expect(embedding._request_id).not.toBe(completion._request_id);
  });

  it('puts it on a stream, whose reply is hijacked from Fastify', async () => {
    const before = frugal.rows.length;
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    for await (const chunk of stream) void chunk;
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(ID);
    expect(response.headers.get('x-frugal-request-id')).toBe(id);
    const rows = await frugal.waitForRows(before + 1);
    expect(rows.map((row) => row.id)).toContain(id);
  });

  it('keeps a sane id the caller sends and replaces one that is not', async () => {
    const kept = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'trace-42.abc:1' } });
    expect(kept._request_id).toBe('trace-42.abc:1');
    const replaced = await fetch(`${frugal.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'has spaces and "quotes"' }, body: chatBody });
    expect(replaced.headers.get('x-request-id')).toMatch(ID);
  });

  it('puts it on errors: invalid bodies, unknown models (the SDK error requestID), 404s and refusals before routing', async () => {
    const invalid = await fetch(`${frugal.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('x-request-id')).toMatch(ID);

    const unknown = await rejection(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.requestID).toMatch(ID);

    const notFound = await fetch(`${frugal.baseUrl}/nothing-here`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toMatch(ID);

    // Refused in an onRequest hook (non-canonical path) and by the router itself (a broken %-escape).
    for (const target of ['/v1/./chat/completions', '/v1/chat/completions%zz']) {
      const refused = await sendRaw(port, `POST ${target} HTTP/1.1\r\ncontent-type: application/json`, chatBody);
      expect(refused.status, target).toBe(400);
      expect(refused.headers['x-request-id'], target).toMatch(ID);
    }
  });

  it('puts it on an authentication refusal', async () => {
    const refused = await fetch(`${keyed.origin}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toMatch(ID);
  });

  it("puts a fresh one on what Node's parser refuses before a request exists, and on an unknown Expect", async () => {
    const malformed = await sendBytes(port, Buffer.from('GET /v1/models HTTP/1.1\r\nhost: x\r\nbad header line\r\n\r\n'));
    expect(malformed.status).toBe(400);
    expect(malformed.headers['x-request-id']).toMatch(ID);
    const expect417 = await sendRaw(port, 'POST /v1/chat/completions HTTP/1.1\r\ncontent-type: application/json\r\nexpect: something-else', chatBody);
    expect(expect417.status).toBe(417);
    expect(expect417.headers['x-request-id']).toMatch(ID);
  });
});
