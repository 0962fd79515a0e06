import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Price } from '../catalog/pricing.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';
import { startBillingUpstream, type BillingUpstream } from '../testing/billing-upstream.js';
import { chatWorstCaseNanos } from './worst-case.js';

/**
 * x-frugal-max-cost-usd bounds everything a request may spend. The upstream bills every call at its worst
 * (max_tokens reached), so each mechanism is tested at its worst case: a cascade that must escalate, a judge
 * it must pay, retries of a failing model before a dearer fallback, and a hedge running beside its primary.
 */
let upstream: BillingUpstream;
let frugal: TestGateway;
let client: OpenAI;
// nano-dollars per token: cheap 1 000 in / 2 000 out, dear ten times that.
const cheapPrice: Price = { inputPico: 1_000_000, outputPico: 2_000_000, cachedInputPico: 1_000_000, cacheWritePico: 1_000_000 };
const dearPrice: Price = { inputPico: 10_000_000, outputPico: 20_000_000, cachedInputPico: 10_000_000, cacheWritePico: 10_000_000 };

beforeAll(async () => {
  upstream = await startBillingUpstream();
  frugal = await startTestGateway({
    providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [
      { name: 'cheap', provider: 'up', upstream: 'cheap', price: { input: 1, output: 2 } },
      { name: 'cheap-b', provider: 'up', upstream: 'cheap-b', price: { input: 1, output: 2 } },
      { name: 'dear', provider: 'up', upstream: 'dear', price: { input: 10, output: 20 } },
    ],
    routes: {
      escalate: { strategy: 'cascade', tiers: ['cheap', 'dear'], checks: ['valid_json'] },
      judged: { strategy: 'cascade', tiers: ['cheap', 'dear'], checks: [{ judge: { model: 'dear', min: 0.5 } }] },
      retried: { strategy: 'fallback', chain: ['cheap', 'dear'], retries: { attempts: 3, base_ms: 1, max_ms: 2 } },
      hedged: { strategy: 'fallback', chain: ['cheap', 'cheap-b'], retries: { attempts: 1 }, hedge: { after: 20 } },
      capped: { strategy: 'fallback', chain: ['cheap'], max_cost_usd: '0.000001' },
    },
    cache: { enabled: false },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});
afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

const usd = (nanos: number) => (nanos / 1e9).toFixed(9);

async function ask(model: string, content: string, ceilingNanos: number, extra: Record<string, unknown> = {}) {
  const before = upstream.calls.length;
  const rowsBefore = frugal.rows.length;
  const body = { model, max_tokens: 100, messages: [{ role: 'user' as const, content }], ...extra };
  const result = await client.chat.completions
    .create(body, { headers: { 'x-frugal-max-cost-usd': usd(ceilingNanos) } })
    .withResponse()
    .catch((error: unknown) => error);
  await frugal.waitForRows(rowsBefore + 1);
  const row = frugal.rows[rowsBefore];
  return { result, row, calls: upstream.calls.slice(before).map((call) => call.model) };
}

const worst = (content: string, price: Price) => chatWorstCaseNanos({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content }] }, price, 4096);

describe('a cost ceiling per request', () => {
  it('stops a cascade that would pass it by escalating, and serves the best answer it has, said in headers and row', async () => {
    const content = 'give json [[bill:content=not json]]';
    const ceiling = worst(content, cheapPrice) + Math.floor(worst(content, dearPrice) / 2);
    const { result, row, calls } = await ask('escalate', content, ceiling, { response_format: { type: 'json_object' } });
    const { response } = result as { response: Response };
    expect(calls).toEqual(['cheap']);
    expect(response.headers.get('x-frugal-model')).toBe('cheap');
    expect(response.headers.get('x-frugal-warnings')).toContain('cost ceiling reached');
    expect(row.routeTrace).toContain('dear(skip:cost_ceiling)');
    expect(row.costNanos).toBeLessThanOrEqual(ceiling);
  });

  it('refuses with 402 cost_ceiling_exceeded, naming the ceiling, when not even the first tier fits', async () => {
    const content = 'too dear';
    const { result, row, calls } = await ask('escalate', content, worst(content, cheapPrice) - 1);
    expect(result).toMatchObject({ status: 402, code: 'cost_ceiling_exceeded' });
    expect((result as Error).message).toContain('x-frugal-max-cost-usd');
    expect(calls).toEqual([]);
    expect(row).toMatchObject({ errorCode: 'cost_ceiling_exceeded', costNanos: 0 });
  });

  it("counts a cascade's judge: one it cannot pay for leaves the answer served unchecked, and said", async () => {
    const content = 'judge me';
    const ceiling = worst(content, cheapPrice) + 1_000;
    const { result, row, calls } = await ask('judged', content, ceiling);
    expect(calls).toEqual(['cheap']);
    expect((result as { response: Response }).response.headers.get('x-frugal-warnings')).toContain('without its remaining checks');
    expect(row.routeTrace).toContain('cheap(unchecked:cost_ceiling)');
    expect(row.costNanos).toBeLessThanOrEqual(ceiling);
  });

  it('lets retries of a failing model go, but refuses the dearer fallback that would pass it', async () => {
    const content = 'retry [[bill:status=503,only=cheap]]';
    const { result, calls } = await ask('retried', content, Math.floor(worst(content, cheapPrice) * 1.5));
    expect(calls).toEqual(['cheap', 'cheap', 'cheap']);
    expect(result).toMatchObject({ status: 402, code: 'cost_ceiling_exceeded' });
  });

  it('holds a hedge beside its primary: no hedge when both worst cases do not fit, a hedge when they do', async () => {
    const content = 'slow [[bill:delay_ms=150,only=cheap]]';
    const one = worst(content, cheapPrice);
    const alone = await ask('hedged', content, Math.floor(one * 1.5));
    expect(alone.calls).toEqual(['cheap']);
    expect((alone.result as { response: Response }).response.headers.get('x-frugal-model')).toBe('cheap');
    expect(alone.row.costNanos).toBeLessThanOrEqual(Math.floor(one * 1.5));

    const both = await ask('hedged', content, one * 2);
    expect(both.calls.sort()).toEqual(['cheap', 'cheap-b']);
    expect(both.row.costNanos).toBeLessThanOrEqual(one * 2);
  });

  it("applies a route's max_cost_usd, which the header can lower but not raise", async () => {
    const { result, calls } = await ask('capped', 'hello', 1_000_000_000);
    expect(result).toMatchObject({ status: 402, code: 'cost_ceiling_exceeded' });
    expect((result as Error).message).toContain("route 'capped' max_cost_usd");
    expect(calls).toEqual([]);
  });

  it('answers 400 naming the header when it is not an amount', async () => {
    const error = await client.chat.completions
      .create({ model: 'cheap', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-frugal-max-cost-usd': 'lots' } })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, param: 'x-frugal-max-cost-usd' });
  });
});
