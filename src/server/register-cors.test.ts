import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startKeyedGateway, type KeyedGateway } from '../testing/start-keyed-gateway.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

const APP = 'https://app.example.com';
let upstream: MockOpenAIServer;
let keyed: KeyedGateway;
let anyOrigin: TestGateway;
let noCors: TestGateway;

const config = (cors?: Record<string, unknown>) => ({
  ...(cors ? { server: { cors } } : {}),
  providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
  models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
});

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  keyed = await startKeyedGateway(config({ origins: [APP, 'http://localhost:5173'], credentials: true, max_age: 600 }));
  anyOrigin = await startTestGateway(config({ origins: '*' }));
  noCors = await startTestGateway(config());
});

afterAll(async () => {
  await keyed?.close();
  await anyOrigin?.close();
  await noCors?.close();
  await upstream?.close();
});

const preflight = (url: string, origin = APP) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-stainless-os,x-frugal-tags,anthropic-version' },
  });
const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const listed = (value: string | null) => (value ?? '').split(',').map((item) => item.trim().toLowerCase());

describe('server.cors', () => {
  it('answers a preflight without a key and without reaching a route, upstream or the ledger', async () => {
    const calls = upstream.requests.length;
    const rows = keyed.rows.length;
    for (const path of ['/v1/chat/completions', '/chat/completions', '/v1/models', '/v1/embeddings']) {
      const reply = await preflight(`${keyed.origin}${path}`);
      expect(reply.status, path).toBe(204);
      expect(reply.headers.get('access-control-allow-origin'), path).toBe(APP);
      expect(reply.headers.get('access-control-allow-credentials')).toBe('true');
      expect(reply.headers.get('access-control-max-age')).toBe('600');
      expect(listed(reply.headers.get('access-control-allow-methods'))).toEqual(expect.arrayContaining(['get', 'post']));
      expect(listed(reply.headers.get('access-control-allow-headers'))).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'x-api-key', 'anthropic-version', 'anthropic-beta', 'x-frugal-tags', 'x-frugal-task', 'x-frugal-cache', 'x-frugal-max-cost-usd', 'x-stainless-os']),
      );
      expect(reply.headers.get('x-request-id')).toMatch(/^frg-/);
      expect(await reply.text()).toBe('');
    }
    expect(upstream.requests.length).toBe(calls);
    expect(keyed.rows.length).toBe(rows);
  });

  it('lets a browser read the reply, its x-request-id and x-frugal-* headers, on answers, streams and refusals', async () => {
    const headers = { origin: APP, authorization: `Bearer ${keyed.apiKey}`, 'content-type': 'application/json' };
    const answer = await fetch(`${keyed.origin}/v1/chat/completions`, { method: 'POST', headers, body: chatBody });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed(answer.headers.get('vary'))).toContain('origin');
    expect(listed(answer.headers.get('access-control-expose-headers'))).toEqual(expect.arrayContaining(['x-request-id', 'x-frugal-request-id', 'x-frugal-cost-usd', 'x-frugal-model', 'x-frugal-route']));

    const stream = await fetch(`${keyed.origin}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ ...JSON.parse(chatBody), stream: true }) });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed(stream.headers.get('access-control-expose-headers'))).toContain('x-request-id');
    expect(await stream.text()).toContain('data: [DONE]');

    const refused = await fetch(`${keyed.origin}/v1/chat/completions`, { method: 'POST', headers: { origin: APP, 'content-type': 'application/json' }, body: chatBody });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
  });

  it('gives an origin not on the list no CORS grant', async () => {
    const reply = await preflight(`${keyed.origin}/v1/chat/completions`, 'https://evil.example');
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await fetch(`${keyed.origin}/v1/models`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${keyed.apiKey}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("answers any origin with '*' (no credentials)", async () => {
    const reply = await preflight(`${anyOrigin.baseUrl}/chat/completions`, 'https://anywhere.example');
    expect(reply.status).toBe(204);
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    expect(reply.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('is off by default: no grant, and OPTIONS is an unknown endpoint in the error shape', async () => {
    const reply = await preflight(`${noCors.baseUrl}/chat/completions`);
    expect(reply.status).toBe(404);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const answer = await fetch(`${noCors.baseUrl}/models`, { headers: { origin: APP } });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses at start-up credentials with any origin, an origin with a path, and an empty list', () => {
    const attempts: Array<[Record<string, unknown>, string]> = [
      [{ origins: '*', credentials: true }, 'server.cors.credentials'],
      [{ origins: ['https://app.example.com/'] }, 'server.cors.origins[0]'],
      [{ origins: ['app.example.com'] }, 'server.cors.origins[0]'],
      [{ origins: [] }, 'server.cors.origins'],
      [{ origins: '*', max_age: -1 }, 'server.cors.max_age'],
      [{ origins: '*', allow: 'x' }, 'server.cors'],
    ];
    for (const [cors, path] of attempts) {
      expect(() => validateConfig({ server: { cors } }), JSON.stringify(cors)).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining(path) }));
    }
    expect(validateConfig({}).server.cors).toBeUndefined();
    expect(validateConfig({ server: { cors: { origins: [APP] } } }).server.cors).toEqual({ origins: [APP], credentials: false, maxAgeSeconds: undefined });
  });
});
