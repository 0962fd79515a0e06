import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { createGatewayFromConfig, type Gateway } from '../pipeline/create-gateway.js';
import { captureLog, type CapturedLog } from '../testing/capture-log.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { createServer } from './create-server.js';

// A configured provider key: remembered by the gateway at start-up, whatever its shape.
const PROVIDER_KEY = 'upstream-secret-for-edge-log-0123456789';
// A key-shaped value the gateway never saw: caught by its shape.
const SHAPED_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
let upstream: MockOpenAIServer;
let log: CapturedLog;
let gateway: Gateway;
let app: FastifyInstance;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  log = captureLog();
  const config = validateConfig(
    {
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: '${MOCK_KEY}' } },
      models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
    },
    { env: { MOCK_KEY: PROVIDER_KEY } },
  );
  gateway = createGatewayFromConfig(config, undefined);
  app = createServer({ gateway, logger: log.logger });
  // An internal failure that quotes credentials, as a library echoing a URL or a header might.
  app.get('/v1/internal-failure', async () => {
    const cause = new Error(`connect failed with header x-api-key: ${SHAPED_KEY}`);
    throw Object.assign(new Error(`upstream client misconfigured: Authorization: Bearer ${PROVIDER_KEY}`, { cause }), { detail: { key: PROVIDER_KEY } });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  client = new OpenAI({ apiKey: 'unused-without-keys', baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  const closing = app?.close();
  app?.server.closeAllConnections();
  await closing;
  await gateway?.close();
  await upstream?.close();
});

describe('the 5xx error log line', () => {
  it('logs an internal error with every credential in its message, stack, cause and fields redacted', async () => {
    const error = await client.get('/internal-failure').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).message).not.toContain(PROVIDER_KEY);
    const failed = log.lines().find((line) => line.msg === 'request failed');
    expect(failed, 'a request failed line').toBeDefined();
    const logged = failed!.err as { type: string; message: string; stack: string; detail: { key: string } };
    expect(logged.message).toContain('upstream client misconfigured');
    expect(logged.message).toContain('[redacted]');
    expect(logged.stack).toContain('[redacted]');
    expect(logged.detail.key).toBe('[redacted]');
    expect(log.text()).not.toContain(PROVIDER_KEY);
    expect(log.text()).not.toContain(SHAPED_KEY);
  });
});
