import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// Round prices so each expectation below is plain integer arithmetic: $1 per 1M tokens = 1 000 nano-dollars a token.
const PRICE = {
  input: 1,
  output: 2,
  cached_input: 0.1,
  flex: { input: 0.25, output: 0.5, cached_input: 0.025 },
  off_peak: { windows: ['22:00-06:00 UTC'], input: 0.5, output: 1, cached_input: 0.05 },
};
const NANOS_PER_TOKEN = {
  peak: { input: 1_000, cached: 100, output: 2_000 },
  offPeak: { input: 500, cached: 50, output: 1_000 },
  flex: { input: 250, cached: 25, output: 500 },
};

function expectedNanos(row: LedgerRow, rates: { input: number; cached: number; output: number }): number {
  return (row.promptTokens - row.cachedTokens) * rates.input + row.cachedTokens * rates.cached + row.completionTokens * rates.output;
}

describe('prices in force when the request is sent, through the official openai client', () => {
  let upstream: MockOpenAIServer;
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startMockOpenAIServer();
    gateway = await startTestGateway({
      providers: { local: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-upstream' } },
      models: [
        { name: 'tiered', provider: 'local', price: PRICE },
        { name: 'no-flex', provider: 'local', price: { input: 1, output: 2 } },
      ],
    });
    client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  // The wall clock stopped at `iso`: the model caller reads Date.now when it sends a request (it also takes a
  // `now` option; createGateway does not pass one yet). Timers, sockets and performance.now stay real.
  function clockAt(iso: string) {
    vi.restoreAllMocks();
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse(iso));
  }

  /** The ledger row of the one request `send` makes. */
  async function rowOf(send: () => Promise<unknown>): Promise<LedgerRow> {
    const before = gateway.rows.length;
    await send();
    return (await gateway.waitForRows(before + 1))[before];
  }

  it('prices a call at peak, and the same call at off-peak on both sides of midnight', async () => {
    const ask = { model: 'tiered', messages: [{ role: 'user' as const, content: 'Summarise the report. [[mock:cached_tokens=4]]' }] };

    clockAt('2026-11-16T12:00:00Z');
    const peak = await rowOf(() => client.chat.completions.create(ask));
    expect(peak.cachedTokens).toBe(4);
    expect(peak.costNanos).toBe(expectedNanos(peak, NANOS_PER_TOKEN.peak));

    clockAt('2026-11-16T23:30:00Z');
    const lateEvening = await rowOf(() => client.chat.completions.create(ask));
    expect(lateEvening.costNanos).toBe(expectedNanos(lateEvening, NANOS_PER_TOKEN.offPeak));
    expect(lateEvening.costNanos * 2).toBe(peak.costNanos);

    clockAt('2026-11-17T05:59:59.999Z');
    expect((await rowOf(() => client.chat.completions.create(ask))).costNanos).toBe(lateEvening.costNanos);

    clockAt('2026-11-17T06:00:00.000Z');
    expect((await rowOf(() => client.chat.completions.create(ask))).costNanos).toBe(peak.costNanos);
  });

  it('prices a streamed call by the time it was sent', async () => {
    clockAt('2026-11-17T02:00:00Z');
    const row = await rowOf(async () => {
      const stream = await client.chat.completions.create({
        model: 'tiered',
        messages: [{ role: 'user', content: 'Stream it. [[mock:words=20]]' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of stream) {
        // drained
      }
    });
    expect(row.stream).toBe(true);
    expect(row.completionTokens).toBeGreaterThan(0);
    expect(row.costNanos).toBe(expectedNanos(row, NANOS_PER_TOKEN.offPeak));
  });

  it('passes service_tier "flex" upstream unchanged and prices it at flex, off-peak hours or not', async () => {
    for (const iso of ['2026-11-16T12:00:00Z', '2026-11-16T23:00:00Z']) {
      clockAt(iso);
      const before = upstream.requests.length;
      const row = await rowOf(() => client.chat.completions.create({ model: 'tiered', service_tier: 'flex', messages: [{ role: 'user', content: 'Tag these rows. [[mock:cached_tokens=2]]' }] }));
      expect(upstream.requests[before].body?.service_tier).toBe('flex');
      expect(row.costNanos).toBe(expectedNanos(row, NANOS_PER_TOKEN.flex));
    }
  });

  it('prices flex at the real-time price for a model without a flex price', async () => {
    clockAt('2026-11-16T12:00:00Z');
    const row = await rowOf(() => client.chat.completions.create({ model: 'no-flex', service_tier: 'flex', messages: [{ role: 'user', content: 'Hi' }] }));
    expect(row.costNanos).toBe(row.promptTokens * 1_000 + row.completionTokens * 2_000);
  });
});
