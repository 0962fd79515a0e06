import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../testing/start-keyed-gateway.js';

let upstream: MockOpenAIServer;
let frugal: KeyedGateway;
let dataDir: string;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  dataDir = mkdtempSync(join(tmpdir(), 'frugal-lane-key-'));
  frugal = await startKeyedGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test' } },
    models: [{ name: 'evening', provider: 'mock', upstream: 'deepseek-chat', price: { input: 0.3, output: 1.2, off_peak: { windows: ['16:30-00:30 UTC'], input: 0.15, output: 0.6 } } }],
    ledger: { data_dir: dataDir },
    queue: { backend: 'sqlite' },
  });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const admin = (path: string, method = 'GET') => fetch(`${frugal.origin}/admin/keys${path}`, { method, headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } });

describe('a background request whose key is revoked while it waits', () => {
  it('is refused with 401 when its window opens, and nothing reaches the provider', async () => {
    const issued = (await (await fetch(`${frugal.origin}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'night-jobs' }) })).json()) as { id: string; key: string };
    const client = new OpenAI({ apiKey: issued.key, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
    // 1.5 s before the off-peak window: the request is held until it opens.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-11-14T16:29:58.500Z'));
    const calls = upstream.requests.length;
    const waiting = client.chat.completions.create({ model: 'evening', messages: [{ role: 'user', content: 'Summarise the night' }] }, { headers: { 'x-frugal-priority': 'background', 'x-frugal-deadline': '10m' } }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await admin(`/${issued.id}/revoke`, 'POST')).status).toBe(200);
    const refused = await waiting;
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse('2026-11-14T16:30:00Z'));
    expect(upstream.requests.length).toBe(calls);
  });

  it('is sent in its window when its key still stands', async () => {
    const client = new OpenAI({ apiKey: frugal.apiKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-11-14T16:29:59.300Z'));
    const { response } = await client.chat.completions.create({ model: 'evening', messages: [{ role: 'user', content: 'Summarise the night' }] }, { headers: { 'x-frugal-priority': 'background', 'x-frugal-deadline': '10m' } }).withResponse();
    expect(response.headers.get('x-frugal-service-tier')).toBe('off_peak');
  });
});
