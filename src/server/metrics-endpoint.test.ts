import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { startKeyedGateway } from '../testing/start-keyed-gateway.js';
import { startTestGateway } from '../testing/start-test-gateway.js';

const errorOf = async (reply: Response) => ((await reply.json()) as { error: Record<string, unknown> }).error;

const TOKEN = 'metrics-token-for-tests-0123456789';
const base = { providers: { sim: { kind: 'simulated', output_tokens: 2 } }, models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }] };
const scrape = (origin: string, token?: string) => fetch(`${origin}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('/metrics access', () => {
  it('is closed, saying how to open it, while keys are required and no token is configured', async () => {
    const frugal = await startKeyedGateway(base);
    try {
      for (const token of [undefined, frugal.apiKey]) {
        const reply = await scrape(frugal.origin, token);
        expect(reply.status).toBe(403);
        expect(await errorOf(reply)).toMatchObject({ code: 'permission_denied', message: expect.stringContaining('server.metrics.token') });
      }
    } finally {
      await frugal.close();
    }
  });

  it('needs the configured token (from FRUGAL_METRICS_TOKEN) and nothing else, keys or not', async () => {
    const keyed = await startKeyedGateway(base, { FRUGAL_METRICS_TOKEN: TOKEN });
    const open = await startTestGateway({ ...base, server: { metrics: { token: TOKEN } } });
    try {
      for (const origin of [keyed.origin, open.baseUrl.replace('/v1', '')]) {
        for (const wrong of [undefined, 'x', `${TOKEN}x`, keyed.apiKey]) {
          const reply = await scrape(origin, wrong);
          expect(reply.status, String(wrong)).toBe(401);
          expect(await errorOf(reply)).toMatchObject({ code: 'invalid_api_key', type: 'authentication_error' });
        }
        const reply = await scrape(origin, TOKEN);
        expect(reply.status).toBe(200);
        expect(await reply.text()).toContain('frugal_requests_total');
      }
    } finally {
      await keyed.close();
      await open.close();
    }
  });

  it('moves to a listener of its own with server.metrics.port; the API listener has no /metrics', async () => {
    const frugal = await startKeyedGateway({ ...base, server: { metrics: { port: 0, host: '127.0.0.1' } } });
    try {
      const listener = frugal.app.metricsListener!;
      const metricsOrigin = `http://127.0.0.1:${(listener.server.address() as AddressInfo).port}`;
      const onApi = await scrape(frugal.origin);
      expect(onApi.status).toBe(404);
      expect(await errorOf(onApi)).toMatchObject({ code: 'not_found' });
      const onOwn = await scrape(metricsOrigin);
      expect(onOwn.status).toBe(200);
      expect(await onOwn.text()).toContain('frugal_requests_total');
      // The API's routes are not served there, and errors keep the API's shape.
      const chat = await fetch(`${metricsOrigin}/v1/chat/completions`, { method: 'POST' });
      expect(chat.status).toBe(404);
      expect(await errorOf(chat)).toMatchObject({ code: 'not_found' });
    } finally {
      await frugal.close();
    }
    expect(frugal.app.metricsListener!.server.listening).toBe(false);
  });

  it('refuses to start with a guessable token', () => {
    expect(() => validateConfig({ ...base, server: { metrics: { token: 'short' } } }, { env: {} })).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining('server.metrics.token') }));
  });
});
