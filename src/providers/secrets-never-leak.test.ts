import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createGateway, type Gateway } from '../pipeline/create-gateway.js';
import { createServer } from '../server/create-server.js';
import { startMockAnthropicServer, type MockAnthropicServer } from '../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';

// Credentials of several shapes: one no pattern knows (only the configured value can catch it), Anthropic's,
// a credential in a custom header of a third provider, and one of Frugal's own virtual keys.
const EVIL_KEY = 'evil-4f9c2b7e1d0a8c6b5e3f';
const CLAUDE_KEY = 'sk-ant-api03-LEAKTEST0123456789';
const HEADER_SECRET = 'azure-hdr-9d8c7b6a5f4e3d2c';
const VIRTUAL_KEY = `fk-vk_abcdefghijkl-${'A1b2C3d4E5'.repeat(4)}xyz`;
const SECRETS = [EVIL_KEY, CLAUDE_KEY, HEADER_SECRET, VIRTUAL_KEY];
const OTHERS = `${CLAUDE_KEY} ${HEADER_SECRET} ${VIRTUAL_KEY}`;

let openaiUpstream: MockOpenAIServer;
let anthropicUpstream: MockAnthropicServer;
let gateway: Gateway;
let app: ReturnType<typeof createServer>;
let client: OpenAI;
const rows: LedgerRow[] = [];
const logLines: string[] = [];
/** Everything a client was shown: error messages, bodies, headers, stream events. */
const shown: string[] = [];

beforeAll(async () => {
  openaiUpstream = await startMockOpenAIServer({ name: 'evil' });
  anthropicUpstream = await startMockAnthropicServer();
  gateway = await createGateway({
    config: {
      providers: {
        evil: { kind: 'openai', base_url: openaiUpstream.baseUrl, api_key: EVIL_KEY },
        claude: { kind: 'anthropic', base_url: anthropicUpstream.url, api_key: CLAUDE_KEY },
        azure: { kind: 'openai', base_url: openaiUpstream.baseUrl, headers: { 'api-key': HEADER_SECRET } },
      },
      models: [
        { name: 'evil-model', provider: 'evil', price: { input: 0.1, output: 0.2 } },
        { name: 'claude-model', provider: 'claude', price: { input: 1, output: 5 } },
        { name: 'azure-model', provider: 'azure', price: { input: 0.1, output: 0.2 } },
      ],
      resilience: { circuit_breaker: { consecutive_failures: 2, open_ms: 60_000 } },
    },
    env: {},
    ledger: { record: (row) => void rows.push(row) },
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  app = createServer({ gateway, logger: pino({ level: 'trace' }, sink) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  // The client presents a virtual key: it must never travel upstream or be echoed anywhere.
  client = new OpenAI({ apiKey: VIRTUAL_KEY, baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
  anthropicUpstream.setScenario('bad-key', { error: { status: 401, type: 'authentication_error', message: `invalid x-api-key ${CLAUDE_KEY}; also ${EVIL_KEY} ${HEADER_SECRET} ${VIRTUAL_KEY}` } });
  anthropicUpstream.setScenario('odd-type', { error: { status: 400, type: `bad_${CLAUDE_KEY}`, message: 'see type' } });
  anthropicUpstream.setScenario('revoked', { streamError: { type: `overloaded_${CLAUDE_KEY}`, message: `key ${CLAUDE_KEY} revoked mid-stream; ${EVIL_KEY} ${VIRTUAL_KEY}` } });
});

afterAll(async () => {
  await app?.close();
  await gateway?.close();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
});

function record(error: unknown) {
  const { message, error: body, headers, code, param, type } = error as { message?: string; error?: unknown; headers?: Headers; code?: unknown; param?: unknown; type?: unknown };
  shown.push(JSON.stringify({ message, body, code, param, type, headers: headers ? Object.fromEntries(headers) : undefined }));
}

async function ask(model: string, content: string) {
  await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).then((reply) => shown.push(JSON.stringify(reply)), record);
}

async function askStreaming(model: string, content: string) {
  try {
    const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content }] });
    for await (const chunk of stream) shown.push(JSON.stringify(chunk));
  } catch (error) {
    record(error);
  }
}

function expectNoSecretIn(texts: readonly string[], where: string) {
  const all = texts.join('\n');
  for (const secret of SECRETS) expect(all.includes(secret), `${secret} in ${where}`).toBe(false);
}

describe('configured keys never leak', () => {
  it('are redacted from every upstream error, plain and streamed, on both adapters', async () => {
    await ask('evil-model', '[[mock(evil):status=401,echo_key]]');
    await ask('evil-model', `[[mock(evil):status=400,echo_key,message=proxy saw ${OTHERS}]]`);
    await askStreaming('evil-model', `[[mock(evil):stream_error=Key $KEY was revoked mid-stream; ${OTHERS}]]`);
    await ask('azure-model', `[[mock(evil):status=400,message=proxy saw ${EVIL_KEY} ${OTHERS}]]`);
    await ask('claude-model', 'hi [[mock:bad-key]]');
    await ask('claude-model', 'hi [[mock:odd-type]]');
    await askStreaming('claude-model', 'hi [[mock:revoked]]');
    // Twice a server error: the breaker opens and the next request is refused (and logged) on our side.
    await ask('evil-model', `[[mock(evil):status=500,echo_key,message=${OTHERS}]]`);
    await ask('evil-model', `[[mock(evil):status=500,echo_key,message=${OTHERS}]]`);
    await ask('evil-model', 'hello');

    expect(shown.length).toBeGreaterThanOrEqual(10);
    // The planted keys really were in what the upstreams sent: the mock quoted the key it was given.
    expect(openaiUpstream.requests.some((request) => request.headers.authorization === `Bearer ${EVIL_KEY}`)).toBe(true);
    expectNoSecretIn(shown, 'what clients were shown');
    // The client's virtual key is Frugal's: it never travels upstream.
    expect(openaiUpstream.requests.map((request) => JSON.stringify(request.headers)).join('\n').includes(VIRTUAL_KEY)).toBe(false);
  });

  it('are not in ledger rows, log lines or /metrics', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.some((row) => row.errorCode?.includes('[redacted]'))).toBe(true);
    expectNoSecretIn(rows.map((row) => JSON.stringify(row)), 'ledger rows');
    expect(logLines.length).toBeGreaterThan(0);
    expectNoSecretIn(logLines, 'log lines');
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expectNoSecretIn([metrics.body], '/metrics');
  });
});
