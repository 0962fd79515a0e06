import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';
import { countPromptTokens } from '../tokens/count-tokens.js';

let east: MockOpenAIServer;
let west: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;
const price = { input: 0.1, output: 0.2 };

beforeAll(async () => {
  east = await startMockOpenAIServer({ name: 'east' });
  west = await startMockOpenAIServer({ name: 'west' });
  frugal = await startTestGateway({
    providers: { east: { kind: 'openai', base_url: east.baseUrl }, west: { kind: 'openai', base_url: west.baseUrl } },
    models: [
      { name: 'llama-east', provider: 'east', upstream: 'llama', price },
      { name: 'llama-west', provider: 'west', upstream: 'llama', price },
      { name: 'flaky', provider: 'east', upstream: 'flaky', price },
    ],
    routes: {
      pair: { strategy: 'loadbalance', policy: 'weighted', deployments: [{ model: 'llama-east', weight: 3 }, { model: 'llama-west', weight: 1 }] },
      hedged: { strategy: 'fallback', chain: ['llama-east', 'llama-west'], hedge: { after: 100 } },
      guarded: { strategy: 'fallback', chain: ['flaky', 'llama-west'], retries: { attempts: 1 } },
    },
    resilience: { circuit_breaker: { consecutive_failures: 3, open_ms: 60_000 } },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await east?.close();
  await west?.close();
});

const ask = (model: string, content: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse();

describe('load balancing', () => {
  it('spreads requests over deployments by weight', async () => {
    const served: Record<string, number> = {};
    for (let i = 0; i < 80; i += 1) {
      const { response } = await ask('pair', `hello ${i}`);
      const model = response.headers.get('x-frugal-model')!;
      served[model] = (served[model] ?? 0) + 1;
    }
    // 3:1 weights over 80 requests: expect ~60/20; a fair coin would give ~40/40.
    expect(served['llama-east']).toBeGreaterThan(45);
    expect(served['llama-west']).toBeGreaterThan(5);
  });

  it('fails over to the other deployment when the picked one is down', async () => {
    const { response } = await ask('pair', 'x [[mock(east):status=503]]');
    expect(response.headers.get('x-frugal-model')).toBe('llama-west');
  });
});

describe('hedging', () => {
  it('sends the request to the next candidate when the first is slow, serves the faster, and ledgers both', async () => {
    const before = west.requests.length;
    const { response } = await ask('hedged', 'x [[mock(east):delay_ms=1500]]');
    expect(response.headers.get('x-frugal-model')).toBe('llama-west');
    expect(west.requests.length - before).toBe(1);
    await frugal.waitForRows(frugal.rows.length);
    const row = frugal.rows[frugal.rows.length - 1];
    const westUsage = [...west.usageSent.values()].at(-1)!;
    const westCost = westUsage.prompt_tokens * 100 + westUsage.completion_tokens * 200;
    // The abandoned east call is counted too (its prompt, estimated), so the row costs more than the winner alone.
    expect(row.costNanos).toBeGreaterThan(westCost);
    expect(row.tokensEstimated).toBe(true);
  });
});

describe('circuit breaker', () => {
  it('takes a deployment out of rotation after consecutive failures and reports it', async () => {
    for (let i = 0; i < 3; i += 1) {
      const { response } = await ask('guarded', `x [[mock(east):status=500]] ${i}`);
      expect(response.headers.get('x-frugal-route')).toBe('guarded>fallback:flaky(fail:500)>llama-west');
    }
    const before = east.requests.length;
    const { response } = await ask('guarded', 'now east would answer fine');
    expect(east.requests.length).toBe(before); // not even tried
    expect(response.headers.get('x-frugal-route')).toBe('guarded>fallback:flaky(fail:circuit_open)>llama-west');
  });
});

describe('routing metrics', () => {
  it('counts decisions, fallbacks, hedges and circuit states', async () => {
    const text = await (await fetch(frugal.baseUrl.replace('/v1', '/metrics'))).text();
    expect(text).toMatch(/frugal_route_decisions_total\{route="pair",task="none",model="llama-east"\} \d+/);
    expect(text).toMatch(/frugal_route_fallbacks_total\{route="guarded",from="flaky",reason="500"\} 3/);
    expect(text).toMatch(/frugal_route_hedges_total\{route="hedged",winner="llama-west"\} 1/);
    expect(text).toMatch(/frugal_circuit_state\{deployment="east\/flaky"\} 2/);
  });
});

describe('client disconnects', () => {
  it('do not count against the deployment: clients hanging up never open its circuit', async () => {
    for (let i = 0; i < 6; i += 1) {
      const controller = new AbortController();
      const pending = client.chat.completions.create({ model: 'llama-west', messages: [{ role: 'user', content: `slow ${i} [[mock(west):delay_ms=300]]` }] }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 30);
      await pending.catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { response } = await ask('llama-west', 'still healthy?');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-frugal-model')).toBe('llama-west');
  });
});

// Last: its hedges would change the counts the metrics test above expects.
describe('hedging, what the loser costs', () => {
  it('counts the abandoned call once, streamed or not: one prompt estimate, never two', async () => {
    for (const stream of [false, true]) {
      const before = frugal.rows.length;
      const content = `hedge me ${stream} [[mock(east):${stream ? 'first_token_ms' : 'delay_ms'}=1500]]`;
      // The winner's answer id is the mock's key for the usage it sent (other tests' calls to west may finish meanwhile).
      let answerId = '';
      if (stream) {
        const chunks = await client.chat.completions.create({ model: 'hedged', stream: true, messages: [{ role: 'user', content }] });
        for await (const chunk of chunks) answerId = chunk.id;
      } else {
        answerId = (await ask('hedged', content)).data.id;
      }
      // Rows of the disconnect test above may still land meanwhile: take this request's own row.
      let row = frugal.rows.slice(before).find((candidate) => candidate.requestedModel === 'hedged');
      while (row === undefined) {
        await frugal.waitForRows(frugal.rows.length + 1);
        row = frugal.rows.slice(before).find((candidate) => candidate.requestedModel === 'hedged');
      }
      expect(row.servedModel, `stream: ${stream}`).toBe('llama-west');
      const westUsage = west.usageSent.get(answerId)!;
      // The loser read the same prompt: Frugal's own count of it is there once (the mock counts differently).
      const loserPrompt = row.promptTokens - westUsage.prompt_tokens;
      expect(loserPrompt, `stream: ${stream}`).toBe(countPromptTokens([{ role: 'user', content }], undefined));
      expect(row.costNanos, `stream: ${stream}`).toBe(row.promptTokens * 100 + row.completionTokens * 200);
    }
  });
});
