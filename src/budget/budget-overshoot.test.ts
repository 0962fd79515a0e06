import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import diagnosticsChannel from 'node:diagnostics_channel';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../testing/start-test-gateway.js';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import type { BudgetOvershootEvent } from '../telemetry/events.js';
import { createBudgetGuard } from './budget-guard.js';
import { createMemoryBudgetStore } from './memory-budget-store.js';
import { createSpendHold } from './spend-hold.js';
import { startBillingUpstream, type BillingUpstream } from '../testing/billing-upstream.js';

let upstream: BillingUpstream;
beforeAll(async () => {
  upstream = await startBillingUpstream();
});
afterAll(async () => upstream?.close());

async function startWebhook() {
  const received: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('a provider that bills more than the hold', () => {
  it('is reported (event, metric, webhook, ledger warning) and the next request sees the spend', async () => {
    const webhook = await startWebhook();
    const events: BudgetOvershootEvent[] = [];
    const listen = (message: unknown) => events.push(message as BudgetOvershootEvent);
    diagnosticsChannel.subscribe('frugal:budget:overshoot', listen);
    const frugal = await startTestGateway({
      providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
      // 1 000 / 2 000 nano-dollars per token: 5 000 completion tokens cost $0.01, ten times the budget.
      models: [{ name: 'm', provider: 'up', price: { input: 1, output: 2 } }],
      budgets: [{ scope: 'global', limit_usd: '0.001', period: 'day' }],
      alerts: { webhook_url: webhook.url },
      cache: { enabled: false },
    });
    // Labels name configured models only, so the registry needs the gateway's config.
    const metrics = createPrometheusMetrics(frugal.gateway.config);
    const client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
    try {
      await client.chat.completions.create({ model: 'm', max_tokens: 20, messages: [{ role: 'user', content: 'go [[bill:completion_tokens=5000]]' }] });
      const [row] = await frugal.waitForRows(1);
      expect(row.costNanos).toBeGreaterThan(10_000_000);
      expect(row.warnings.join(' ')).toContain('more than the worst case held');

      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ model: 'm', provider: 'up', actualNanos: row.costNanos });
      expect(events[0].boundNanos).toBeLessThan(events[0].actualNanos);
      expect(await metrics.registry.getSingleMetricAsString('frugal_budget_overshoots_total')).toContain('frugal_budget_overshoots_total{model="m",provider="up"} 1');
      await until(() => webhook.received.length > 0);
      expect(webhook.received[0]).toMatchObject({ type: 'budget_overshoot', model: 'm', provider: 'up', billedNanos: row.costNanos, budgets: ['global (day)'] });

      const next = await client.chat.completions.create({ model: 'm', max_tokens: 20, messages: [{ role: 'user', content: 'again' }] }).catch((error: unknown) => error);
      expect(next).toMatchObject({ status: 429, code: 'budget_exceeded' });
      expect(upstream.calls).toHaveLength(1);
    } finally {
      diagnosticsChannel.unsubscribe('frugal:budget:overshoot', listen);
      metrics.close();
      await frugal.close();
      await webhook.close();
    }
  });

  it('counts the overshoot against the budget the moment the call ends, before the request settles', async () => {
    const store = createMemoryBudgetStore();
    const guard = createBudgetGuard({ store, budgets: [{ scope: 'global', limitNanos: 1_000, period: 'day', hard: true }] });
    const reservation = await guard.begin({ keyId: null, team: null, tags: {}, worstCaseNanos: 0 });
    let spent = 0;
    const overshoots: unknown[] = [];
    const hold = createSpendHold({ reservations: [reservation], ceiling: undefined, spentNanos: () => spent, defaultMaxTokens: 16, onOvershoot: (overshoot) => overshoots.push(overshoot) });
    const attempt = await hold.beginAttempt(400, { model: 'm', provider: 'up' });
    spent = 5_000;
    await attempt.end(spent);
    const scope = { id: 'global', limitNanos: 1_000, period: 'day' as const, hard: true };
    // Held past the hard limit: a concurrent request must now be refused, not admitted on room that is gone.
    expect((await store.usage(scope)).reservedNanos).toBe(5_000);
    await expect(guard.begin({ keyId: null, team: null, tags: {}, worstCaseNanos: 1 })).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect(overshoots).toEqual([{ model: 'm', provider: 'up', boundNanos: 400, actualNanos: 5_000 }]);
    await reservation.end(spent);
    expect(await store.usage(scope)).toMatchObject({ spentNanos: 5_000, reservedNanos: 0 });
  });
});

describe('embeddings holds', () => {
  // CJK and accented text: ~1 token per character for our tokenizer, up to 3 bytes each for a provider that
  // counts bytes, so "our count + 25 %" (the old hold, ~750 000 nano-dollars here) is exceeded 2.3 times over.
  const input = ['統計的機械翻訳の評価指標について説明します。'.repeat(20), 'déjà vu ☃ '.repeat(30)];

  async function embedUnder(limitUsd: string) {
    const frugal = await startTestGateway({
      providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
      models: [{ name: 'embed', provider: 'up', type: 'embedding', price: { input: 1, output: 0 } }],
      budgets: [{ scope: 'global', limit_usd: limitUsd, period: 'day' }],
      cache: { enabled: false },
    });
    const client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
    const reply = await client.embeddings.create({ model: 'embed', input }).catch((error: unknown) => error);
    const [row] = await frugal.waitForRows(1);
    const usage = await frugal.gateway.spendControl.store.usage({ id: 'global', limitNanos: 1, period: 'day', hard: true });
    await frugal.close();
    return { reply, row, usage };
  }

  it('never let a provider that counts more tokens than our tokenizer spend past the budget', async () => {
    const { reply, usage } = await embedUnder('0.001');
    expect(reply).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(usage.spentNanos).toBeLessThanOrEqual(1_000_000);
    expect(usage.reservedNanos).toBe(0);
  });

  it('settle to the provider count, with no overshoot', async () => {
    const events: unknown[] = [];
    const listen = (message: unknown) => events.push(message);
    diagnosticsChannel.subscribe('frugal:budget:overshoot', listen);
    try {
      const { reply, row, usage } = await embedUnder('0.01');
      const tokens = (reply as OpenAI.CreateEmbeddingResponse).usage.prompt_tokens;
      expect(tokens).toBe(1_742);
      expect(row).toMatchObject({ promptTokens: tokens, costNanos: tokens * 1_000, warnings: [] });
      expect(usage).toMatchObject({ spentNanos: row.costNanos, reservedNanos: 0 });
      expect(events).toEqual([]);
    } finally {
      diagnosticsChannel.unsubscribe('frugal:budget:overshoot', listen);
    }
  });
});
