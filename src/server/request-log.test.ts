import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanosToUsdNumber } from '../catalog/pricing.js';
import { validateConfig } from '../config/load-config.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import type { KeyStore } from '../keys/key-store.js';
import { openKeyStore } from '../keys/open-key-store.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createGatewayFromConfig, type Gateway } from '../pipeline/create-gateway.js';
import { captureLog, type CapturedLog } from '../testing/capture-log.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { TEST_MASTER_KEY } from '../testing/start-keyed-gateway.js';
import { createServer } from './create-server.js';

const PROVIDER_KEY = 'sk-provider-secret-for-log-test-0123456789';
let upstream: MockOpenAIServer;
let log: CapturedLog;
let app: FastifyInstance;
let gateway: Gateway;
let store: KeyStore;
let dataDir: string;
let origin: string;
let virtualKey: string;
const rows: LedgerRow[] = [];

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  log = captureLog();
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-log-'));
  store = openKeyStore({ dataDir });
  await store.migrate();
  const authenticator = createKeyAuthenticator(store);
  virtualKey = (await store.create({ name: 'log-test' })).plaintext;
  await authenticator.refresh();
  const config = validateConfig(
    {
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: '${MOCK_KEY}' } },
      models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
    },
    { env: { MOCK_KEY: PROVIDER_KEY } },
  );
  gateway = createGatewayFromConfig(config, { record: (row) => rows.push(row) });
  app = createServer({ gateway, logger: log.logger, keys: { store, authenticator, masterKey: TEST_MASTER_KEY } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  const closing = app?.close();
  app?.server.closeAllConnections();
  await closing;
  await gateway?.close();
  await store?.close();
  await upstream?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const client = () => new OpenAI({ apiKey: virtualKey, baseURL: `${origin}/v1`, maxRetries: 0 });

async function onlyLine(reqId: string) {
  const lines = await log.requestLines(reqId);
  expect(lines, `request lines for ${reqId}`).toHaveLength(1);
  return lines[0];
}

describe('one log line per request', () => {
  it('logs a chat completion with its route, model, status, duration and the ledger cost', async () => {
    const { data, response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
    const id = response.headers.get('x-request-id')!;
    expect(data.choices[0].message.content).toBe('Hello from the mock.');
    const line = await onlyLine(id);
    const row = rows.find((candidate) => candidate.id === id)!;
    expect(row.costNanos).toBeGreaterThan(0);
    expect(line).toMatchObject({ level: 30, method: 'POST', path: '/v1/chat/completions', status: 200, route: 'gpt-4o-mini', model: 'gpt-4o-mini', provider: 'mock', cost_usd: nanosToUsdNumber(row.costNanos) });
    expect(line.ms).toEqual(expect.any(Number));
    expect(line).not.toHaveProperty('aborted');
  });

  it('logs a hijacked stream once, when it ends, with the cost the stream finally came to', async () => {
    const { data: stream, response } = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: '[[mock:words=20]]' }] })
      .withResponse();
    const id = response.headers.get('x-request-id')!;
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const line = await onlyLine(id);
    const row = rows.find((candidate) => candidate.id === id)!;
    expect(row.costNanos).toBeGreaterThan(0);
    expect(line).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200, model: 'gpt-4o-mini', cost_usd: nanosToUsdNumber(row.costNanos) });
  });

  it('logs a stream the client left midway once, marked aborted', async () => {
    const { data: stream, response } = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'long answer [[mock:words=400,chunk_gap_ms=5]]' }] })
      .withResponse();
    let words = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) words += 1;
      if (words === 10) {
        stream.controller.abort();
        break;
      }
    }
    expect(await onlyLine(response.headers.get('x-request-id')!)).toMatchObject({ path: '/v1/chat/completions', status: 200, aborted: true, model: 'gpt-4o-mini' });
  });

  it('logs refusals: a 404 by its path without the query, a missing key, an unknown key', async () => {
    const notFound = await fetch(`${origin}/v1/nothing-here?api_key=${virtualKey}`);
    expect(notFound.status).toBe(404);
    expect(await onlyLine(notFound.headers.get('x-request-id')!)).toMatchObject({ method: 'GET', path: '/v1/nothing-here', status: 404, route: null, cost_usd: null });

    const noKey = await fetch(`${origin}/v1/models`);
    expect(noKey.status).toBe(401);
    expect(await onlyLine(noKey.headers.get('x-request-id')!)).toMatchObject({ method: 'GET', path: '/v1/models', status: 401 });

    const badKey = await fetch(`${origin}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${virtualKey}x`, 'content-type': 'application/json' }, body: '{}' });
    expect(badKey.status).toBe(401);
    expect(await onlyLine(badKey.headers.get('x-request-id')!)).toMatchObject({ path: '/v1/chat/completions', status: 401 });
  });

  it('logs an admin route by its pattern, never the key pasted into its URL', async () => {
    const reply = await fetch(`${origin}/admin/keys/${virtualKey}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } });
    expect(reply.status).toBe(404);
    expect(await onlyLine(reply.headers.get('x-request-id')!)).toMatchObject({ method: 'POST', path: '/admin/keys/:id/revoke', status: 404 });
  });

  it('logs an upstream failure that quoted the provider key with its status and no key', async () => {
    const failed = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[mock:status=401,echo_key]]' }] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (!(failed instanceof OpenAI.APIError)) throw new Error(`expected an APIError, got ${String(failed)}`);
    const id = failed.requestID!;
    expect(await onlyLine(id)).toMatchObject({ path: '/v1/chat/completions', status: failed.status });
  });

  it('keeps keys a caller pasted into its own fields (model, user, tags, x-request-id) out of the ledger and the log', async () => {
    const before = rows.length;
    const failed = await client()
      .chat.completions.create(
        { model: virtualKey, user: TEST_MASTER_KEY, messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-frugal-tags': `team=${virtualKey}`, 'x-request-id': virtualKey } },
      )
      .catch((error: unknown) => error);
    if (!(failed instanceof OpenAI.APIError)) throw new Error(`expected an APIError, got ${String(failed)}`);
    expect(failed.status).toBe(404);
    const answered = await client().chat.completions.create(
      { model: 'gpt-4o-mini', user: TEST_MASTER_KEY, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-frugal-tags': `team=${virtualKey},${TEST_MASTER_KEY}=x` } },
    );
    expect(answered.choices).toHaveLength(1);
    while (rows.length < before + 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(failed.requestID).not.toBe(virtualKey);
    await onlyLine(failed.requestID!);
    const stored = JSON.stringify(rows.slice(before));
    for (const secret of [virtualKey, TEST_MASTER_KEY]) {
      expect(stored).not.toContain(secret);
      expect(log.text()).not.toContain(secret);
    }
    expect(rows[before]).toMatchObject({ status: 'error', requestedModel: '[redacted]', user: '[redacted]' });
  });

  it('never writes a virtual key, the master key, the provider key, a header or a body to the log', () => {
    const text = log.text();
    expect(text).toContain('"msg":"request"');
    for (const secret of [virtualKey, TEST_MASTER_KEY, PROVIDER_KEY, 'Say hello', 'authorization', 'Bearer']) expect(text).not.toContain(secret);
    // Fastify's own per-request lines stay off: ours is the only one.
    expect(log.lines().filter((line) => line.msg === 'incoming request' || line.msg === 'request completed')).toEqual([]);
  });
});
