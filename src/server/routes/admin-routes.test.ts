import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toOpenAIError } from '../../errors/to-openai-error.js';
import type { ReportQuery } from '../../ledger/ledger-store.js';
import { createKeyAuthenticator, type KeyAuthenticator } from '../../keys/key-cache.js';
import { hashKey } from '../../keys/key-secret.js';
import type { KeyStore } from '../../keys/key-store.js';
import { openKeyStore } from '../../keys/open-key-store.js';
import { fromFastifyError } from '../fastify-error.js';
import { registerAdminRoutes, type AdminRoutesOptions } from './admin-routes.js';

const MASTER = 'master-key-for-tests-0123456789';
const NOW = Date.UTC(2025, 5, 1);

let dir: string;
let store: KeyStore;
let authenticator: KeyAuthenticator;
let logged: string;
const apps: FastifyInstance[] = [];

/** A Fastify app like create-server's: the same error mapping and renderer, every log line captured. */
async function adminApp(options: Partial<AdminRoutesOptions> = {}): Promise<FastifyInstance> {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  // Request logging on and at trace level: stricter than the gateway, so a key logged anywhere shows up.
  const logger: FastifyBaseLogger = pino({ level: 'trace' }, sink);
  const app = Fastify({ loggerInstance: logger });
  app.setErrorHandler((error, _request, reply) => {
    const rendered = toOpenAIError(fromFastifyError(error));
    void reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
  });
  registerAdminRoutes(app, { store, authenticator, masterKey: MASTER, now: () => NOW, ...options });
  await app.ready();
  apps.push(app);
  return app;
}

const auth = (key = MASTER) => ({ authorization: `Bearer ${key}` });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-admin-'));
  store = openKeyStore({ dataDir: dir, now: () => NOW });
  await store.migrate();
  authenticator = createKeyAuthenticator(store, { now: () => NOW });
  await authenticator.refresh();
  logged = '';
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('admin API guard', () => {
  const routes = [
    ['POST', '/admin/keys'],
    ['GET', '/admin/keys'],
    ['GET', '/admin/keys/vk_aaaaaaaaaaaa'],
    ['POST', '/admin/keys/vk_aaaaaaaaaaaa/revoke'],
    ['POST', '/admin/keys/vk_aaaaaaaaaaaa/rotate'],
    ['GET', '/admin/spend?by=key'],
  ] as const;

  it('answers 403 on every route, saying how to set FRUGAL_MASTER_KEY, when no master key is configured', async () => {
    for (const masterKey of [undefined, '']) {
      const app = await adminApp({ masterKey });
      for (const [method, url] of routes) {
        const response = await app.inject({ method, url, headers: auth(), payload: method === 'POST' ? { name: 'x' } : undefined });
        expect(response.statusCode, `${method} ${url}`).toBe(403);
        expect(response.json().error).toMatchObject({ type: 'permission_error', code: 'permission_denied', message: expect.stringContaining('FRUGAL_MASTER_KEY') });
      }
    }
    expect(await store.count()).toBe(0);
  });

  it('answers 401 to a missing, wrong or virtual key, before reading the body', async () => {
    const app = await adminApp();
    const { plaintext } = await store.create({ name: 'not an admin' });
    for (const headers of [{}, auth('wrong'), auth(`${MASTER}x`), auth(MASTER.slice(0, -1)), auth(plaintext), { authorization: MASTER }]) {
      for (const [method, url] of routes) {
        const response = await app.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: method === 'POST' ? '{not json' : undefined });
        expect(response.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(response.json().error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      }
    }
    expect(await store.count()).toBe(1);
  });

  it('accepts the master key as x-api-key too', async () => {
    const app = await adminApp();
    expect((await app.inject({ method: 'GET', url: '/admin/keys', headers: { 'x-api-key': MASTER } })).statusCode).toBe(200);
  });

  it('refuses to start with a master key shorter than 16 characters', async () => {
    const app = Fastify();
    expect(() => registerAdminRoutes(app, { store, authenticator, masterKey: 'short' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    await app.close();
  });
});

describe('admin API keys', () => {
  it('creates a key (plaintext once, no-store), which then authenticates, closes the gateway, and stops working when revoked (the gateway stays closed)', async () => {
    const app = await adminApp();
    expect(authenticator.requiredNow()).toBe(false);
    const created = await app.inject({
      method: 'POST',
      url: '/admin/keys',
      headers: auth(),
      payload: { name: 'growth bot', team: 'growth', models: ['auto'], budget_usd: '25', rpm: 60, expires_in_days: 7, tags: { feature: 'chat' } },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const body = created.json();
    expect(body).toEqual({
      object: 'virtual_key',
      id: expect.stringMatching(/^vk_[a-z2-7]{12}$/),
      name: 'growth bot',
      status: 'active',
      team: 'growth',
      models: ['auto'],
      budget_usd: '25',
      budget_period: 'month',
      budget_hard: true,
      rpm: 60,
      tpm: null,
      tags: { feature: 'chat' },
      expires_at: new Date(NOW + 7 * 86_400_000).toISOString(),
      created_at: new Date(NOW).toISOString(),
      revoked_at: null,
      rotated_at: null,
      key: expect.stringMatching(/^fk-vk_[a-z2-7]{12}-[A-Za-z0-9_-]{43}$/),
    });
    expect(authenticator.requiredNow()).toBe(true);
    expect(await authenticator.authenticate(body.key)).toMatchObject({ id: body.id, team: 'growth', budget: { limitUsd: '25', period: 'month', hard: true } });

    const revoked = await app.inject({ method: 'POST', url: `/admin/keys/${body.id}/revoke`, headers: auth() });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: body.id, status: 'revoked', revoked_at: new Date(NOW).toISOString() });
    expect(revoked.json()).not.toHaveProperty('key');
    expect(await authenticator.authenticate(body.key)).toBeUndefined();
    expect(authenticator.requiredNow()).toBe(true);
    expect(logged).toContain('"statusCode":201');
    expect(logged).not.toContain(body.key.slice(-43));
  });

  it('rotates: a new plaintext once, the old one refused at once, same id and settings', async () => {
    const app = await adminApp();
    const created = (await app.inject({ method: 'POST', url: '/admin/keys', headers: auth(), payload: { name: 'svc', tpm: 1000 } })).json();
    expect(await authenticator.authenticate(created.key)).toMatchObject({ id: created.id });
    const rotated = await app.inject({ method: 'POST', url: `/admin/keys/${created.id}/rotate`, headers: auth() });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const { key: newPlaintext, ...record } = rotated.json();
    const { key: oldPlaintext, ...before } = created;
    // The same key, stamped with its rotation.
    expect(record).toEqual({ ...before, rotated_at: new Date(NOW).toISOString() });
    expect(newPlaintext).not.toBe(oldPlaintext);
    expect(await authenticator.authenticate(oldPlaintext)).toBeUndefined();
    expect(await authenticator.authenticate(newPlaintext)).toMatchObject({ id: created.id, rateLimits: { rpm: null, tpm: 1000 } });

    await app.inject({ method: 'POST', url: `/admin/keys/${created.id}/revoke`, headers: auth() });
    const refused = await app.inject({ method: 'POST', url: `/admin/keys/${created.id}/rotate`, headers: auth() });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'invalid_request', param: 'id' });
    expect(logged).not.toContain(oldPlaintext.slice(-43));
    expect(logged).not.toContain(newPlaintext.slice(-43));
  });

  it('lists and reads keys without any secret or hash, revoked ones on request', async () => {
    const app = await adminApp();
    const a = (await app.inject({ method: 'POST', url: '/admin/keys', headers: auth(), payload: { name: 'a' } })).json();
    const b = (await app.inject({ method: 'POST', url: '/admin/keys', headers: auth(), payload: { name: 'b' } })).json();
    await app.inject({ method: 'POST', url: `/admin/keys/${b.id}/revoke`, headers: auth() });

    const listed = await app.inject({ method: 'GET', url: '/admin/keys', headers: auth() });
    const all = await app.inject({ method: 'GET', url: '/admin/keys?include_revoked=true', headers: auth() });
    const one = await app.inject({ method: 'GET', url: `/admin/keys/${a.id}`, headers: auth() });
    expect(listed.json()).toMatchObject({ object: 'list', data: [{ id: a.id, status: 'active' }] });
    expect(all.json().data.map((key: { id: string; status: string }) => [key.id, key.status])).toEqual(
      [[a.id, 'active'], [b.id, 'revoked']].sort((x, y) => x[0].localeCompare(y[0])),
    );
    expect(one.json()).toMatchObject({ id: a.id, name: 'a' });
    for (const response of [listed, all, one]) {
      for (const { key } of [a, b]) {
        expect(response.body).not.toContain(key.slice(-43));
        expect(response.body).not.toContain(hashKey(key));
      }
      expect(response.body).not.toMatch(/"key"|secret|hash/);
    }
  });

  it('answers 404 for an unknown id, without echoing something that may be a plaintext', async () => {
    const app = await adminApp();
    const { plaintext } = await store.create({ name: 'a' });
    const unknown = await app.inject({ method: 'GET', url: '/admin/keys/vk_aaaaaaaaaaaa', headers: auth() });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'not_found', param: 'id', message: expect.stringContaining('vk_aaaaaaaaaaaa') });
    for (const action of ['', '/revoke', '/rotate']) {
      const response = await app.inject({ method: action ? 'POST' : 'GET', url: `/admin/keys/${plaintext}${action}`, headers: auth() });
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain(plaintext.slice(-43));
    }
    // (The request log line holds this URL; the gateway's server turns request logging off.)
  });

  it('names the field at fault in validation errors, in OpenAI error JSON', async () => {
    const app = await adminApp();
    const cases: Array<[unknown, string]> = [
      [{}, 'name'],
      [{ name: 'a', rpm: 0 }, 'rpm'],
      [{ name: 'a', budget_usd: 'lots' }, 'budget_usd'],
      [{ name: 'a', budget_period: 'week' }, 'budget_period'],
      [{ name: 'a', expires_at: '2020-01-01' }, 'expires_at'],
      [{ name: 'a', models: 'gpt-4o' }, 'models'],
      [{ name: 'a', rate_limit: 5 }, 'rate_limit'],
    ];
    for (const [payload, param] of cases) {
      const response = await app.inject({ method: 'POST', url: '/admin/keys', headers: auth(), payload: payload as Record<string, unknown> });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json()).toEqual({ error: { message: expect.stringContaining(`'${param}'`), type: 'invalid_request_error', param, code: 'invalid_request' } });
    }
    const notJson = await app.inject({ method: 'POST', url: '/admin/keys', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"name":' });
    expect(notJson.json().error).toMatchObject({ code: 'invalid_json' });
    expect(await store.count()).toBe(0);
  });
});

describe('admin API spend', () => {
  it('passes the report query on and writes bigint sums as exact strings', async () => {
    const queries: ReportQuery[] = [];
    const app = await adminApp({
      spend: async (query) => {
        queries.push(query);
        return { by: query.by, rows: [{ group: 'vk_aaaaaaaaaaaa', costNanos: 9_007_199_254_740_993n }] };
      },
    });
    const response = await app.inject({ method: 'GET', url: '/admin/spend?by=key&since=7d&until=2025-06-01', headers: auth() });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"by":"key","rows":[{"group":"vk_aaaaaaaaaaaa","costNanos":"9007199254740993"}]}');
    expect(queries).toEqual([{ by: 'key', since: NOW - 7 * 86_400_000, until: Date.UTC(2025, 5, 1) }]);
  });

  it('refuses an unknown dimension or bound by name, and says so when the ledger is off', async () => {
    const app = await adminApp({ spend: async () => [] });
    const badBy = await app.inject({ method: 'GET', url: '/admin/spend?by=colour', headers: auth() });
    expect(badBy.json().error).toMatchObject({ code: 'invalid_request', param: 'by' });
    const badSince = await app.inject({ method: 'GET', url: '/admin/spend?by=key&since=yesterday', headers: auth() });
    expect(badSince.json().error).toMatchObject({ code: 'invalid_request', param: 'since', message: expect.stringMatching(/^since:/) });
    const off = await adminApp({ spend: undefined });
    const response = await off.inject({ method: 'GET', url: '/admin/spend?by=key', headers: auth() });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'not_supported' });
  });
});
