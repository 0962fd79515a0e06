import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

// Nano-dollars per token: big $10 / $20 per 1M, small $1 / $2 per 1M with cached input at $0.50.
const BIG = { input: 10_000, output: 20_000 };
const SMALL = { input: 1_000, output: 2_000, cached: 500 };
const bigCost = (row: LedgerRow) => row.promptTokens * BIG.input + row.completionTokens * BIG.output;
const smallCost = (row: LedgerRow) => row.promptTokens * SMALL.input + row.completionTokens * SMALL.output;

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [
      { name: 'big', provider: 'mock', price: { input: 10, output: 20 } },
      { name: 'small', provider: 'mock', price: { input: 1, output: 2, cached_input: 0.5 } },
    ],
    routes: {
      cheap: { strategy: 'fallback', chain: ['small'] },
      pinned: { strategy: 'fallback', chain: ['small'], baseline_model: 'small' },
    },
    savings: { baseline_model: 'big' },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

async function rowFor(model: string, content: string): Promise<LedgerRow> {
  const before = frugal.rows.length;
  await client.chat.completions.create({ model, temperature: 0, messages: [{ role: 'user', content }] });
  return (await frugal.waitForRows(before + 1))[before];
}

describe('savings credit only what Frugal decided', () => {
  it("books a caller's own choice of a cheap model as caller choice, never as a saving", async () => {
    const row = await rowFor('small', 'named small');
    expect(row.costNanos).toBe(smallCost(row));
    expect(row).toMatchObject({ baselineNanos: row.costNanos, savedNanos: 0, savedRoutingNanos: 0 });
    expect(row.callerChoiceNanos).toBe(bigCost(row) - smallCost(row));
    expect(row.callerChoiceNanos).toBeGreaterThan(0);
  });

  it('credits nothing at all when the caller names the baseline model', async () => {
    const row = await rowFor('big', 'named big');
    expect(row).toMatchObject({ baselineNanos: bigCost(row), savedNanos: 0, savedRoutingNanos: 0, callerChoiceNanos: 0 });
  });

  it('credits routing when a route serves a cheaper model than its baseline', async () => {
    const row = await rowFor('cheap', 'routed');
    expect(row.servedModel).toBe('small');
    expect(row).toMatchObject({ baselineNanos: bigCost(row), savedRoutingNanos: bigCost(row) - smallCost(row), callerChoiceNanos: 0 });
    expect(row.savedNanos).toBe(row.savedRoutingNanos);
  });

  it("measures a route against its own baseline_model when it names one", async () => {
    const row = await rowFor('pinned', 'pinned route');
    expect(row).toMatchObject({ servedModel: 'small', baselineNanos: smallCost(row), savedNanos: 0, savedRoutingNanos: 0, callerChoiceNanos: 0 });
  });

  it('credits a cache hit with what the original call cost, and routing with nothing, on a named model', async () => {
    const miss = await rowFor('small', 'cache me please');
    const hit = await rowFor('small', 'cache me please');
    expect(hit.cacheStatus).toBe('hit');
    expect(hit).toMatchObject({ costNanos: 0, savedCacheNanos: miss.costNanos, savedRoutingNanos: 0, savedNanos: miss.costNanos });
    // A hit uses no tokens of its own; the original call's tokens measure the caller's choice.
    expect(hit.callerChoiceNanos).toBe(bigCost(miss) - smallCost(miss));
  });

  it("credits the provider's prompt cache on a named model, and nothing to routing", async () => {
    const row = await rowFor('small', 'prompt cached [[mock:cached_tokens=8]]');
    expect(row.cachedTokens).toBe(8);
    const promptCache = 8 * (SMALL.input - SMALL.cached);
    expect(row).toMatchObject({ savedPromptCacheNanos: promptCache, savedNanos: promptCache, savedRoutingNanos: 0, baselineNanos: smallCost(row) });
    expect(row.costNanos).toBe(smallCost(row) - promptCache);
  });

  it("shows a hit's prompt-cache discount apart: the original's price had it, routing decided nothing", async () => {
    const miss = await rowFor('small', 'cached twice over [[mock:cached_tokens=8]]');
    const hit = await rowFor('small', 'cached twice over [[mock:cached_tokens=8]]');
    expect(hit.cacheStatus).toBe('hit');
    const promptCache = 8 * (SMALL.input - SMALL.cached);
    expect(miss.savedPromptCacheNanos).toBe(promptCache);
    expect(hit).toMatchObject({ costNanos: 0, savedCacheNanos: miss.costNanos, savedPromptCacheNanos: promptCache, savedRoutingNanos: 0, baselineNanos: smallCost(miss) });
  });

  it('adds up on every row: baseline − cost = routing + cache + compression + prompt cache', () => {
    for (const row of frugal.rows) {
      expect(row.baselineNanos - row.costNanos).toBe(row.savedNanos);
      expect(row.savedRoutingNanos + row.savedCacheNanos + row.savedCompressionNanos + row.savedPromptCacheNanos).toBe(row.savedNanos);
    }
  });
});

describe('a route baseline_model', () => {
  it('fails start-up, naming the path, when it is neither configured nor in the catalog', async () => {
    const { validateConfig } = await import('../config/load-config.js');
    expect(() =>
      validateConfig({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'a', provider: 'sim', price: { input: 1, output: 1 } }], routes: { r: { strategy: 'fallback', chain: ['a'], baseline_model: 'nope' } } }, { env: {} }),
    ).toThrow(/routes\.r\.baseline_model: unknown model 'nope'/);
  });
});
