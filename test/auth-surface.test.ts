import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_MASTER_KEY, FULL_METRICS_TOKEN, startFullGateway, type FullGateway } from './support/start-full-gateway.js';

let frugal: FullGateway;
beforeAll(async () => {
  frugal = await startFullGateway({ providers: { sim: { kind: 'simulated', output_tokens: 2 } }, models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }] });
});
afterAll(async () => frugal?.close());

/** Every (method, path) the server registered, read from Fastify's own route tree: a route added later is in it. */
function registeredRoutes(tree: string): Array<{ method: string; path: string }> {
  const parents: string[] = [];
  const routes: Array<{ method: string; path: string }> = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    const segment = match[2];
    const path = (parents[depth - 1] ?? '') + (segment.startsWith('/') ? segment : `/${segment}`);
    parents[depth] = path;
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, path });
  }
  return routes;
}

type Access = 'public' | 'metrics' | 'master' | 'dashboard' | 'key';

// Who may call what (README "Security", "Dashboard"). An /admin route missing here is taken as master-only.
const PUBLIC = new Set(['GET /healthz', 'GET /dashboard', 'GET /dashboard/:file', 'DELETE /admin/api/session', 'GET /admin/api/whoami']);
const DASHBOARD_DATA = new Set(['POST /admin/api/session', 'GET /admin/api/overview', 'GET /admin/api/spend', 'GET /admin/api/routing', 'GET /admin/api/cache', 'GET /admin/api/budgets', 'GET /admin/api/quality', 'GET /admin/api/live']);

function accessOf(method: string, path: string): Access {
  const name = `${method === 'HEAD' ? 'GET' : method} ${path}`;
  if (PUBLIC.has(name)) return 'public';
  if (path === '/metrics') return 'metrics';
  if (DASHBOARD_DATA.has(name)) return 'dashboard';
  if (path.startsWith('/admin')) return 'master';
  return 'key';
}

const concrete = (path: string) => path.replace(/:[A-Za-z]+|\*/g, 'frg-probe-id');

async function call(method: string, path: string, headers: Record<string, string>) {
  const body = method === 'POST' ? '{}' : undefined;
  const response = await fetch(`${frugal.origin}${concrete(path)}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
  const text = await response.text();
  return { status: response.status, text };
}

describe('every registered route, every credential', () => {
  it('finds the whole surface: API routes, their unprefixed twins, admin, dashboard, batches, feedback, metrics', () => {
    const routes = registeredRoutes(frugal.app.printRoutes({ commonPrefix: false })).map(({ method, path }) => `${method} ${path}`);
    for (const expected of ['POST /v1/chat/completions', 'POST /chat/completions', 'POST /v1/messages/count_tokens', 'GET /v1/models/*', 'POST /v1/batches', 'GET /v1/files/:id/content', 'POST /v1/feedback', 'POST /admin/keys/:id/rotate', 'POST /admin/reload', 'GET /admin/api/live', 'GET /metrics', 'HEAD /healthz']) {
      expect(routes).toContain(expected);
    }
  });

  it('refuses no key, a malformed, a revoked and an expired key wherever a credential is needed, and never echoes it', async () => {
    const wrong = {
      none: {},
      malformed: { authorization: 'Bearer fk-vk_aaaaaaaaaaaa-not-a-real-secret-at-all-0000000000000000' },
      revoked: { authorization: `Bearer ${frugal.keys.revoked}` },
      expired: { 'x-api-key': frugal.keys.expired },
      empty: { authorization: 'Bearer ' },
    };
    for (const { method, path } of registeredRoutes(frugal.app.printRoutes({ commonPrefix: false }))) {
      if (method === 'OPTIONS' || accessOf(method, path) === 'public') continue;
      const replies = await Promise.all(Object.values(wrong).map((headers) => call(method, path, headers)));
      Object.keys(wrong).forEach((name, index) => {
        expect(replies[index].status, `${method} ${path} with ${name} key`).toBe(401);
        expect(replies[index].text).not.toContain(frugal.keys.revoked);
      });
    }
  });

  it('gives a virtual key no admin route, the master key no API route, and neither the metrics', async () => {
    const virtual = { authorization: `Bearer ${frugal.keys.active}` };
    const master = { authorization: `Bearer ${FULL_MASTER_KEY}` };
    for (const { method, path } of registeredRoutes(frugal.app.printRoutes({ commonPrefix: false }))) {
      const access = accessOf(method, path);
      const label = `${method} ${path}`;
      if (access === 'master' || access === 'metrics') expect([401, 403], `${label} with a virtual key`).toContain((await call(method, path, virtual)).status);
      // Feedback takes the master key too (it scores any request); every other API route wants a virtual key.
      if (access === 'key' && !path.includes('feedback')) expect((await call(method, path, master)).status, `${label} with the master key`).toBe(401);
      if (access === 'metrics') expect((await call(method, path, master)).status, label).toBe(401);
    }
    expect((await call('GET', '/metrics', { authorization: `Bearer ${FULL_METRICS_TOKEN}` })).status).toBe(200);
    expect((await call('GET', '/admin/keys', { 'api-key': FULL_MASTER_KEY })).status).toBe(200);
  });

  it('logs no credential it was shown', async () => {
    const text = frugal.log.text();
    for (const secret of [FULL_MASTER_KEY, frugal.keys.active, frugal.keys.revoked, frugal.keys.expired]) expect(text).not.toContain(secret);
  });
});
