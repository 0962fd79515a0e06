import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { priceUsage, usdPerMillionToPico } from '../catalog/pricing.js';
import type { TokenUsage } from '../wire/token-usage.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;
let dataDir: string;

const rates = (input: number, output: number) => ({ inputPico: usdPerMillionToPico(input), outputPico: usdPerMillionToPico(output), cachedInputPico: usdPerMillionToPico(input), cacheWritePico: usdPerMillionToPico(input) });

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  dataDir = mkdtempSync(join(tmpdir(), 'frugal-lanes-'));
  frugal = await startTestGateway(
    {
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test' } },
      models: [
        { name: 'flexible', provider: 'mock', upstream: 'gpt-5-mini', price: { input: 2, output: 8, flex: { input: 1, output: 4 } } },
        { name: 'evening', provider: 'mock', upstream: 'deepseek-chat', price: { input: 0.3, output: 1.2, off_peak: { windows: ['16:30-00:30 UTC'], input: 0.15, output: 0.6 } } },
      ],
      routes: { nightly: { strategy: 'fallback', chain: ['flexible'], priority: 'background' } },
      ledger: { data_dir: dataDir },
      queue: { backend: 'sqlite' },
      savings: { baseline_model: 'flexible' },
    },
    {},
  );
  client = new OpenAI({ apiKey: 'client-key', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function rowFor(id: string) {
  const row = frugal.rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no ledger row for ${id}`);
  return row;
}

/** The usage the mock reported for the call that produced `completionId`. */
function usageOf(completionId: string): TokenUsage {
  const sent = upstream.usageSent.get(completionId)!;
  return { promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };
}

const ask = (model: string, text = 'Summarise the ticket') => ({ model, messages: [{ role: 'user' as const, content: text }] });

describe('background lane through the OpenAI SDK', () => {
  it('sends a background request at the flex tier and records the tier and what it saved against the real-time price', async () => {
    const { data, response } = await client.chat.completions.create(ask('flexible'), { headers: { 'x-frugal-priority': 'background', 'x-frugal-deadline': '15m' } }).withResponse();
    expect(response.headers.get('x-frugal-lane')).toBe('background');
    expect(response.headers.get('x-frugal-service-tier')).toBe('flex');
    expect(upstream.requests.at(-1)!.body).toMatchObject({ model: 'gpt-5-mini', service_tier: 'flex' });
    await frugal.waitForRows(1);
    const row = rowFor(response.headers.get('x-frugal-request-id')!);
    const usage = usageOf(data.id);
    const paid = priceUsage(usage, rates(1, 4));
    expect(row).toMatchObject({ serviceTier: 'flex', costNanos: paid, savedBatchNanos: priceUsage(usage, rates(2, 8)) - paid });
    expect(row.savedNanos).toBe(row.savedRoutingNanos + row.savedCacheNanos + row.savedCompressionNanos + row.savedPromptCacheNanos + row.savedBatchNanos + row.savedBatchingNanos);
  });

  it('prices a streamed background answer at the flex tier once the stream ends', async () => {
    const stream = await client.chat.completions.create({ ...ask('flexible', 'Stream it'), stream: true, stream_options: { include_usage: true } }, { headers: { 'x-frugal-priority': 'background' } });
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(upstream.requests.at(-1)!.body).toMatchObject({ stream: true, service_tier: 'flex' });
    const row = (await frugal.waitForRows(2)).at(-1)!;
    const tokens = { promptTokens: usage!.prompt_tokens, completionTokens: usage!.completion_tokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };
    expect(row).toMatchObject({ stream: true, serviceTier: 'flex', costNanos: priceUsage(tokens, rates(1, 4)), savedBatchNanos: priceUsage(tokens, rates(2, 8)) - priceUsage(tokens, rates(1, 4)) });
  });

  it('treats a route configured priority: background as background, and x-frugal-priority: realtime as real time', async () => {
    const before = upstream.requests.length;
    const { response } = await client.chat.completions.create(ask('nightly')).withResponse();
    expect(response.headers.get('x-frugal-lane')).toBe('background');
    expect(upstream.requests[before].body).toMatchObject({ service_tier: 'flex' });
    const urgent = await client.chat.completions.create(ask('nightly'), { headers: { 'x-frugal-priority': 'realtime' } }).withResponse();
    expect(urgent.response.headers.get('x-frugal-lane')).toBeNull();
    expect(upstream.requests.at(-1)!.body).not.toHaveProperty('service_tier');
    const row = (await frugal.waitForRows(4)).find((candidate) => candidate.id === urgent.response.headers.get('x-frugal-request-id'))!;
    expect(row).toMatchObject({ serviceTier: null, savedBatchNanos: 0 });
  });

  it('holds a background reply until the off-peak window opens, and prices it there', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-11-14T16:29:59.300Z'));
    const { data, response } = await client.chat.completions.create(ask('evening'), { headers: { 'x-frugal-priority': 'background', 'x-frugal-deadline': '10m' } }).withResponse();
    const sentAt = Date.now();
    expect(sentAt).toBeGreaterThanOrEqual(Date.parse('2026-11-14T16:30:00Z'));
    expect(response.headers.get('x-frugal-service-tier')).toBe('off_peak');
    await frugal.waitForRows(5);
    const row = rowFor(response.headers.get('x-frugal-request-id')!);
    const usage = usageOf(data.id);
    const paid = priceUsage(usage, rates(0.15, 0.6));
    expect(row).toMatchObject({ serviceTier: 'off_peak', costNanos: paid, savedBatchNanos: priceUsage(usage, rates(0.3, 1.2)) - paid });
  });

  it('serves at once at the normal price when the window opens after the deadline', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-11-14T16:29:00Z'));
    const { data, response } = await client.chat.completions.create(ask('evening'), { headers: { 'x-frugal-priority': 'background', 'x-frugal-deadline': '30s' } }).withResponse();
    expect(Date.now()).toBeLessThan(Date.parse('2026-11-14T16:30:00Z'));
    expect(response.headers.get('x-frugal-service-tier')).toBe('standard');
    await frugal.waitForRows(6);
    const row = rowFor(response.headers.get('x-frugal-request-id')!);
    expect(row).toMatchObject({ serviceTier: null, savedBatchNanos: 0, costNanos: priceUsage(usageOf(data.id), rates(0.3, 1.2)) });
  });

  it('refuses a malformed priority or deadline with a 400 naming the header', async () => {
    const bad = await client.chat.completions.create(ask('flexible'), { headers: { 'x-frugal-priority': 'whenever' } }).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('x-frugal-priority');
    const late = await client.chat.completions.create(ask('flexible'), { headers: { 'x-frugal-priority': 'background', 'x-frugal-deadline': 'tomorrow' } }).catch((error: unknown) => error);
    expect((late as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('x-frugal-deadline');
  });
});
