import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { openDashboard } from '../dashboard/open-dashboard.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import { openKeyStore } from '../keys/open-key-store.js';
import type { KeyStore } from '../keys/key-store.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { createGatewayFromConfig } from '../pipeline/create-gateway.js';
import { captureLog, type CapturedLog } from '../testing/capture-log.js';
import { createServer } from './create-server.js';

// Base64 secrets, as `openssl rand -base64 32` makes them: no shape a redaction could recognise, and + / = in them.
const MASTER = 'Zm9v+YmFy/YmF6PQ==cXV4LXNlY3JldC1tYXN0ZXI=';
const ROTATED_MASTER = 'cm90YXRlZC1tYXN0ZXIta2V5LTAxMjM0NTY3ODk=';
const SESSION_SECRET = 'shared-session-secret-0123456789';
const METRICS_TOKEN = 'bWV0cmljcy10b2tlbi1vZi10aGlzLWdhdGV3YXk=';
const APP_ORIGIN = 'https://app.example.com';

interface Started {
  origin: string;
  log: CapturedLog;
  close(): Promise<void>;
}

let dataDir: string;
let keys: KeyStore;
let apiKey: string;
const running: Started[] = [];

/** `frugal serve`'s wiring over one shared data dir: keys, the dashboard and CORS for one browser app. */
async function start(masterKey: string | undefined): Promise<Started> {
  const config = validateConfig(
    {
      providers: { sim: { kind: 'simulated' } },
      models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }],
      ledger: { data_dir: dataDir },
      server: { cors: { origins: [APP_ORIGIN], credentials: true }, metrics: { token: METRICS_TOKEN } },
      admin: { ...(masterKey === undefined ? {} : { master_key: masterKey }), session_secret: SESSION_SECRET },
    },
    { env: {} },
  );
  const gateway = createGatewayFromConfig(config, { record: () => {} });
  const authenticator = createKeyAuthenticator(keys);
  await authenticator.refresh();
  const dashboard = openDashboard(config, { keys });
  const log = captureLog();
  const app: FastifyInstance = createServer({ gateway, logger: log.logger, keys: { store: keys, authenticator, masterKey: config.masterKey }, dashboard: dashboard.options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const started = {
    origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    log,
    async close() {
      await app.close();
      await gateway.close();
      await dashboard.close();
    },
  };
  running.push(started);
  return started;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-admin-boundaries-'));
  const ledger = openLedgerStore({ dataDir });
  await ledger.migrate();
  await ledger.close();
  keys = openKeyStore({ dataDir });
  await keys.migrate();
  apiKey = (await keys.create({ name: 'tenant' })).plaintext;
});
afterAll(async () => {
  for (const server of running) await server.close();
  await keys?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function adminSession(origin: string): Promise<string> {
  const signIn = await fetch(`${origin}/admin/api/session`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}` } });
  expect(signIn.status).toBe(200);
  return signIn.headers.get('set-cookie')!.split(';')[0];
}

describe('an admin dashboard session', () => {
  it('ends when the master key it was signed in with is rotated or removed, though admin.session_secret still signs', async () => {
    const before = await start(MASTER);
    const cookie = await adminSession(before.origin);
    expect((await fetch(`${before.origin}/admin/api/live`, { headers: { cookie } })).status).toBe(200);

    // The leaked master key is rotated (a replica, or the restart, with the new one): the old session is over.
    const rotated = await start(ROTATED_MASTER);
    expect((await fetch(`${rotated.origin}/admin/api/live`, { headers: { cookie } })).status).toBe(401);
    expect(await (await fetch(`${rotated.origin}/admin/api/whoami`, { headers: { cookie } })).json()).toMatchObject({ viewer: null });

    // The master key is removed to close the admin side: virtual keys exist, so nothing may be shown to that cookie.
    const removed = await start(undefined);
    expect((await fetch(`${removed.origin}/admin/api/live`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${removed.origin}/admin/api/spend?by=key`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('signing in to the dashboard', () => {
  it('refuses a missing or wrong key before reading the body, as every other admin route does', async () => {
    const frugal = await start(MASTER);
    for (const authorization of [undefined, 'Bearer wrong-key', `Bearer ${ROTATED_MASTER}`]) {
      const reply = await fetch(`${frugal.origin}/admin/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{"not json' });
      expect(reply.status, authorization).toBe(401);
      expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    }
  });
});

describe('CORS and the admin side', () => {
  let frugal: Started;
  beforeAll(async () => {
    frugal = await start(MASTER);
  });

  it('answers no preflight for /admin/… even from an allowed origin, while the API keeps its own', async () => {
    for (const path of ['/admin/api/live', '/admin/api/session', '/admin/keys', '/admin/api/review/frg-1']) {
      const preflight = await fetch(`${frugal.origin}${path}`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
      expect(preflight.status, path).toBe(404);
      expect(preflight.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(preflight.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
    const api = await fetch(`${frugal.origin}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(api.status).toBe(204);
    expect(api.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it("lets no other origin's script read the admin's session or the admin API", async () => {
    const cookie = await adminSession(frugal.origin);
    // What a same-site page's fetch(…, { credentials: 'include' }) sends: the cookie and its Origin.
    const live = await fetch(`${frugal.origin}/admin/api/live`, { headers: { cookie, origin: APP_ORIGIN } });
    expect(live.status).toBe(200);
    expect(live.headers.get('access-control-allow-origin')).toBeNull();
    expect(live.headers.get('access-control-allow-credentials')).toBeNull();
    const listed = await fetch(`${frugal.origin}/admin/keys`, { headers: { authorization: `Bearer ${MASTER}`, origin: APP_ORIGIN } });
    expect(listed.headers.get('access-control-allow-origin')).toBeNull();
    const models = await fetch(`${frugal.origin}/v1/models`, { headers: { authorization: `Bearer ${apiKey}`, origin: APP_ORIGIN } });
    expect(models.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});

describe('configured secrets in the request log', () => {
  it('never logs the master key, the metrics token or the session secret a caller pasted into an unknown path', async () => {
    const frugal = await start(MASTER);
    for (const secret of [MASTER, METRICS_TOKEN, SESSION_SECRET]) {
      for (const path of [`/v1/files/${secret}/content`, `/v1/x/${encodeURIComponent(secret)}`, `/${'a'.repeat(190)}/${secret}`]) {
        const reply = await fetch(`${frugal.origin}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
        expect(await reply.text()).not.toContain(secret);
        await frugal.log.requestLines(reply.headers.get('x-request-id')!);
      }
    }
    const text = frugal.log.text();
    for (const secret of [MASTER, METRICS_TOKEN, SESSION_SECRET]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
      // Not even the head of one, left by cutting a long path at 200 characters.
      expect(text).not.toContain(secret.slice(0, 8));
    }
    expect(text).toContain('[redacted]');
  });
});
