import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../testing/start-keyed-gateway.js';

let main: MockOpenAIServer;
beforeAll(async () => {
  main = await startMockOpenAIServer({ name: 'main' });
});
afterAll(() => main?.close());

let gateway: KeyedGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const PRICES = { 'm-base': { input: 2, output: 8 }, 'm-a': { input: 3, output: 9 }, 'm-b': { input: 0.2, output: 0.8 } } as const;

function config(sticky = 'user') {
  return {
    providers: { main: { kind: 'openai', base_url: main.baseUrl, api_key: 'sk-upstream-main-0123456789' } },
    models: Object.entries(PRICES).map(([name, price]) => ({ name, provider: 'main', price })),
    experiments: { ab: { route: 'm-base', arms: { a: { model: 'm-a', percent: 50 }, b: { model: 'm-b', percent: 50 } }, sticky, start: '2020-01-01T00:00:00Z' } },
  };
}

async function issueKey(models?: string[]): Promise<string> {
  const response = await fetch(`${gateway!.origin}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `k-${Math.random()}`, ...(models ? { models } : {}) }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

async function ask(apiKey: string, user: string) {
  const client = new OpenAI({ apiKey, baseURL: `${gateway!.origin}/v1`, maxRetries: 0 });
  const { data, response } = await client.chat.completions.create({ model: 'm-base', user, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
  return { data, headers: response.headers };
}

describe('experiments and key restrictions', () => {
  it('never serves a key an arm whose model it may not use: those requests keep the route they asked for, outside the experiment', async () => {
    gateway = await startKeyedGateway(config());
    const onlyRouteAndA = await issueKey(['m-base', 'm-a']);
    const onlyRoute = await issueKey(['m-base']);
    const served = new Set<string>();
    for (let index = 0; index < 12; index += 1) {
      const user = `user-${index}`;
      const limited = await ask(onlyRoute, user);
      expect(limited.headers.get('x-frugal-experiment')).toBeNull();
      expect(limited.headers.get('x-frugal-model')).toBe('m-base');

      const partly = await ask(onlyRouteAndA, user);
      const model = partly.headers.get('x-frugal-model')!;
      served.add(model);
      expect(['m-base', 'm-a']).toContain(model);
      expect(partly.headers.get('x-frugal-experiment')).toBe(model === 'm-a' ? 'ab=a' : null);
    }
    // Users of arm b are served the route itself (not arm a): the split of the others is unchanged.
    expect(served).toEqual(new Set(['m-base', 'm-a']));
    const restricted = gateway.rows.filter((row) => row.servedModel === 'm-base');
    for (const row of restricted) expect(row).toMatchObject({ experiment: null, arm: null });
  });

  it('prices each arm at its own model\'s price, exactly, and keeps the arm on the row; sticky on the key', async () => {
    gateway = await startKeyedGateway(config('key'));
    const keys = await Promise.all(Array.from({ length: 8 }, () => issueKey()));
    for (const key of keys) {
      const first = await ask(key, 'u');
      const second = await ask(key, 'v');
      expect(second.headers.get('x-frugal-experiment')).toBe(first.headers.get('x-frugal-experiment'));
    }
    const rows = gateway.rows.filter((row) => row.requestedModel === 'm-base');
    expect(rows).toHaveLength(16);
    expect(new Set(rows.map((row) => row.arm))).toEqual(new Set(['a', 'b']));
    for (const row of rows) {
      expect(row.servedModel).toBe(`m-${row.arm}`);
      const price = PRICES[row.servedModel as keyof typeof PRICES];
      // $ per million tokens = nano-dollars per thousandth of a token: input × 1 000 nano-dollars per token.
      expect(row.costNanos).toBe(row.promptTokens * Math.round(price.input * 1_000) + row.completionTokens * Math.round(price.output * 1_000));
    }
  });
});
