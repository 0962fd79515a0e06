import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamDispatcher, upstreamTarget } from './upstream-http.js';

let server: Server;
let origin: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('upstreamTarget', () => {
  const dispatcher = createUpstreamDispatcher({ connections: 2 });

  it('sends to the base URL’s path prefix joined with the call’s path, with or without a trailing slash', async () => {
    for (const base of [`${origin}/v1`, `${origin}/v1/`, `${origin}/openai/v1//`]) {
      const response = await upstreamTarget(base, dispatcher).request('/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({ ok: true });
    }
    const root = await upstreamTarget(origin, dispatcher).request('/v1/messages', { method: 'POST', body: '{}' });
    await root.body.text();
    expect(seen.splice(0)).toEqual(['POST /v1/chat/completions', 'POST /v1/chat/completions', 'POST /openai/v1/chat/completions', 'POST /v1/messages']);
  });

  it('keeps a base URL with a query as written (the path follows it, as it always has)', async () => {
    const response = await upstreamTarget(`${origin}/v1?api-version=1`, dispatcher).request('/models', { method: 'GET' });
    await response.body.text();
    expect(seen.splice(0)).toEqual(['GET /v1?api-version=1/models']);
  });
});
