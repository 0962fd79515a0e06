import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load-config.js';
import { createKeyAuthenticator } from '../src/keys/key-cache.js';
import { openKeyStore } from '../src/keys/open-key-store.js';
import type { LedgerRow } from '../src/ledger/ledger-row.js';
import { createGatewayFromConfig } from '../src/pipeline/create-gateway.js';
import { createServer } from '../src/server/create-server.js';

const MASTER = 'master-key-for-tests-0123456789';
const rows: LedgerRow[] = [];
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-keys-'));
  const store = openKeyStore({ dataDir });
  await store.migrate();
  const authenticator = createKeyAuthenticator(store);
  await authenticator.refresh();
  const config = validateConfig({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'a', provider: 'sim', price: { input: 1, output: 1 } }, { name: 'b', provider: 'sim', price: { input: 1, output: 1 } }] }, { env: {} });
  const gateway = createGatewayFromConfig(config, { record: (row) => rows.push(row) });
  const app = createServer({ gateway, logger: pino({ level: 'silent' }), keys: { store, authenticator, masterKey: MASTER } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  close = async () => {
    await app.close();
    await gateway.close();
    await store.close();
  };
});
afterAll(async () => close?.());

const admin = (path: string, body?: unknown) =>
  fetch(`${base}/admin${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 });
const hello = (apiKey: string, model = 'a') => client(apiKey).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('virtual keys through the server', () => {
  it('is open while no key exists, then demands a valid key once one does', async () => {
    await expect(hello('anything')).resolves.toMatchObject({ object: 'chat.completion' });
    const created = await admin('/keys', { name: 'growth-bot', team: 'growth', models: ['a'], tags: { feature: 'bot' } });
    expect(created.status).toBe(201);
    const { key, id } = (await created.json()) as { key: string; id: string };
    expect(key).toMatch(/^fk-vk_/);

    await expect(hello('anything')).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    const reply = await hello(key);
    expect(reply.choices[0].message.content).toContain('[simulated]');
    const row = rows[rows.length - 1];
    expect(row.keyId).toBe(id);
    // The key's team is written as the row's team tag: ownership comes from the key, never from a header.
    expect(row.tags).toEqual({ feature: 'bot', team: 'growth' });
    expect(JSON.stringify(rows)).not.toContain(key.split('-').pop()!);

    await expect(hello(key, 'b')).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    // /v1/models lists what this key may use, as OpenAI's does; the other model is no one's business here.
    const listed = await client(key).models.list();
    expect(listed.data.map((model) => model.id)).toEqual(['a']);
    await expect(client(key).models.retrieve('b')).rejects.toMatchObject({ status: 404 });
    await expect(client(key).models.retrieve('a')).resolves.toMatchObject({ id: 'a' });

    expect((await admin(`/keys/${id}/revoke`, {})).status).toBe(200);
    await expect(hello(key)).rejects.toMatchObject({ status: 401 });
  });

  it("names only the key's own models when a model on its list is not configured", async () => {
    const created = await admin('/keys', { name: 'listed-retired', models: ['a', 'retired'] });
    const { key } = (await created.json()) as { key: string };
    const refused = await hello(key, 'retired').catch((error: unknown) => error as { status: number; message: string });
    expect(refused).toMatchObject({ status: 404 });
    expect((refused as { message: string }).message).toContain('Available models and routes: a.');
    expect((refused as { message: string }).message).not.toMatch(/\bb\b/);
  });

  it('guards the admin API with the master key', async () => {
    expect((await fetch(`${base}/admin/keys`)).status).toBe(401);
    const listed = (await (await admin('/keys')).json()) as { data: Array<Record<string, unknown>> };
    expect(JSON.stringify(listed)).not.toMatch(/fk-vk_|hash/);
  });
});
