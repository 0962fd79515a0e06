import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let frugal: TestGateway;

beforeAll(async () => {
  frugal = await startTestGateway({
    providers: { sim: { kind: 'simulated', output_tokens: 4 } },
    models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }],
  });
});
afterAll(async () => frugal?.close());

describe('health and metrics', () => {
  it('reports health', async () => {
    const response = await fetch(frugal.baseUrl.replace('/v1', '/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', demo_mode: false });
  });

  it('exposes request, token, cost and latency metrics by model, provider and status', async () => {
    const post = (model: string) =>
      fetch(`${frugal.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
    expect((await post('cheap')).status).toBe(200);
    expect((await post('missing')).status).toBe(404);
    const text = await (await fetch(frugal.baseUrl.replace('/v1', '/metrics'))).text();
    expect(text).toMatch(/frugal_requests_total\{model="cheap",provider="sim",status="ok"\} 1/);
    // A name no config holds is client input: it is counted, never shown.
    expect(text).toMatch(/frugal_requests_total\{model="other",provider="none",status="error"\} 1/);
    expect(text).not.toContain('missing');
    expect(text).toMatch(/frugal_tokens_total\{model="cheap",provider="sim",kind="completion"\} \d+/);
    expect(text).toMatch(/frugal_cost_usd_total\{model="cheap",provider="sim"\} [0-9.e-]+/);
    expect(text).toMatch(/frugal_request_duration_seconds_bucket\{le="0.005",model="cheap",provider="sim",status="ok"\}/);
  });

  it('never shows a model name a client made up, and does not grow with how many it sends', async () => {
    const metricsText = async () => (await fetch(frugal.baseUrl.replace('/v1', '/metrics'))).text();
    // Series of the gateway's own metrics (the process metrics vary with garbage collection).
    const seriesCount = (text: string) => text.split('\n').filter((line) => line.startsWith('frugal_') && !/^frugal_(process|nodejs)_/.test(line)).length;
    const post = (model: string) =>
      fetch(`${frugal.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
    expect((await post('warm-up-unknown')).status).toBe(404);
    const before = seriesCount(await metricsText());
    const pastedKey = 'fk-vk_0123456789abcdefPASTEDKEY';
    const names = [pastedKey, ...Array.from({ length: 499 }, (_, i) => `unknown-model-${i}-${'x'.repeat(i % 7)}`)];
    for (let i = 0; i < names.length; i += 50) {
      const statuses = await Promise.all(names.slice(i, i + 50).map(async (name) => (await post(name)).status));
      expect(statuses.every((status) => status === 404)).toBe(true);
    }
    const text = await metricsText();
    expect(seriesCount(text)).toBe(before);
    expect(text).not.toContain('PASTEDKEY');
    expect(text).not.toContain('unknown-model-');
  });

  it('answers unknown endpoints with an OpenAI-shaped 404', async () => {
    const response = await fetch(`${frugal.baseUrl}/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found', type: 'not_found_error' } });
  });
});
