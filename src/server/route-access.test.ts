import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../testing/send-raw.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../testing/start-keyed-gateway.js';

let frugal: KeyedGateway;
beforeAll(async () => {
  frugal = await startKeyedGateway(
    {
      providers: { sim: { kind: 'simulated', output_tokens: 2 } },
      models: [
        { name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } },
        { name: 'org/slashed', provider: 'sim', price: { input: 1, output: 1 } },
      ],
    },
    {},
    // A route added later that declares nothing: it must need a key like every other.
    (app) => app.get('/v1/added-later', async () => ({ served: true })),
  );
});
afterAll(async () => frugal?.close());

const CHAT = JSON.stringify({ model: 'cheap', messages: [{ role: 'user', content: 'hi' }] });
const chat = (path: string, headers: string[] = []) => sendRaw(frugal.port, [`POST ${path} HTTP/1.1`, 'content-type: application/json', ...headers].join('\r\n'), CHAT);

// Every spelling a router, a proxy or a decoder may read as /v1/chat/completions.
const VARIANTS = [
  '/%761/chat/completions',
  '/%76%31/chat/completions',
  '/v1/%63hat/completions',
  '/v1/chat/completion%73',
  '/v1/chat/completion%73?x=1',
  '/V1/chat/completions',
  '/v1/CHAT/completions',
  '/v1/chat/completions/',
  '//v1/chat/completions',
  '/v1//chat/completions',
  '/./v1/chat/completions',
  '/v1/./chat/completions',
  '/v1/x/../chat/completions',
  '/v1/%2e/chat/completions',
  '/v1/%2E%2E/v1/chat/completions',
  '/v1\\chat/completions',
  '/v1/chat/completions;x=1',
  '/v1/chat%2Fcompletions',
  '/v1/chat%2fcompletions',
  '/v1/chat/completions%00',
  '/v1/chat/completions%',
  '/v1/chat/completions%zz',
  'http://127.0.0.1/v1/chat/completions',
];

describe('access is decided on the route the router matched', () => {
  it('serves the canonical path only with a key', async () => {
    expect((await chat('/v1/chat/completions')).status).toBe(401);
    expect((await chat('/v1/chat/completions', [`authorization: Bearer ${frugal.apiKey}`])).status).toBe(200);
  });

  it('never serves an encoded, cased, dotted or slashed variant without a key, and refuses it in the error shape', async () => {
    const before = frugal.rows.length;
    for (const path of VARIANTS) {
      const reply = await chat(path);
      expect([400, 401, 404], `${path} → ${reply.status} ${reply.body}`).toContain(reply.status);
      expect(JSON.parse(reply.body), path).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code: expect.any(String) } });
    }
    // Nothing reached the gateway: no call was made, nothing was spent or recorded.
    expect(frugal.rows.length).toBe(before);
  });

  it('refuses the encoded spellings with invalid_path even with a valid key, so logs and proxies see one path', async () => {
    for (const path of ['/%761/chat/completions', '/v1/%63hat/completions', '/v1/./chat/completions', '/v1//chat/completions', '/v1/chat/completions;x=1', '/v1\\chat/completions']) {
      const reply = await chat(path, [`authorization: Bearer ${frugal.apiKey}`]);
      expect(reply.status, path).toBe(400);
      expect(JSON.parse(reply.body).error.code, path).toBe('invalid_path');
    }
  });

  it('requires a key on a route that declares no access, and on every method of the models routes', async () => {
    for (const path of ['/v1/added-later', '/v1/models', '/v1/models/cheap']) {
      for (const method of ['GET', 'HEAD']) {
        const reply = await sendRaw(frugal.port, `${method} ${path} HTTP/1.1`);
        expect(reply.status, `${method} ${path}`).toBe(401);
      }
    }
  });

  it('keeps /healthz public and /admin behind the master key, never a virtual key', async () => {
    expect((await sendRaw(frugal.port, 'GET /healthz HTTP/1.1')).status).toBe(200);
    expect((await sendRaw(frugal.port, `GET /admin/keys HTTP/1.1\r\nauthorization: Bearer ${frugal.apiKey}`)).status).toBe(401);
    expect((await sendRaw(frugal.port, `GET /admin/keys HTTP/1.1\r\nauthorization: Bearer ${TEST_MASTER_KEY}`)).status).toBe(200);
    expect((await sendRaw(frugal.port, `GET /%61dmin/keys HTTP/1.1`)).status).toBe(400);
  });

  it('still serves model ids the SDK percent-encodes (a / in the id)', async () => {
    const client = new OpenAI({ apiKey: frugal.apiKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
    await expect(client.models.retrieve('org/slashed')).resolves.toMatchObject({ id: 'org/slashed' });
    await expect(new OpenAI({ apiKey: 'wrong', baseURL: `${frugal.origin}/v1`, maxRetries: 0 }).models.retrieve('org/slashed')).rejects.toMatchObject({ status: 401 });
  });
});
