import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'm', provider: 'mock', price: { input: 1, output: 2 } }],
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

function ask(content: string, headers: Record<string, string> = {}, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) {
  return client.chat.completions.create({ model: 'm', temperature: 0, messages: [{ role: 'user', content }], ...extra }, { headers }).withResponse();
}

describe('exact cache through the SDK', () => {
  it('answers a repeat from the cache at no cost and says so', async () => {
    const before = upstream.requests.length;
    const first = await ask('What is 2+2?');
    expect(first.response.headers.get('x-frugal-cache')).toBe('miss');
    const second = await ask('  What is   2+2? ');
    expect(upstream.requests.length - before).toBe(1);
    expect(second.response.headers.get('x-frugal-cache')).toBe('hit');
    expect(second.response.headers.get('x-frugal-cost-usd')).toBe('0');
    expect(second.data.choices[0].message.content).toBe(first.data.choices[0].message.content);
    expect((second.data.usage as unknown as { cost: number }).cost).toBe(0);
    const rows = await frugal.waitForRows(2);
    const [miss, hit] = rows.slice(-2);
    expect(hit).toMatchObject({ cacheStatus: 'hit', costNanos: 0, servedModel: 'm', routeTrace: 'm>cache>m' });
    expect(miss.costNanos).toBeGreaterThan(0);
    // The hit saved exactly what the original call cost; the rest of the gap to gpt-4o is routing's.
    expect(hit.savedCacheNanos).toBe(miss.costNanos);
    expect(hit.savedNanos).toBe(hit.baselineNanos);
    expect(hit.savedRoutingNanos).toBe(hit.baselineNanos - miss.costNanos);
  });

  it('replays a cached answer as a valid stream, and stores a streamed answer once complete', async () => {
    await ask('stream me later');
    const stream = await client.chat.completions.create({ model: 'm', temperature: 0, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me later' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the mock.');
    expect((usage as unknown as { cost: number }).cost).toBe(0);

    const before = upstream.requests.length;
    const live = await client.chat.completions.create({ model: 'm', temperature: 0, stream: true, messages: [{ role: 'user', content: 'first streamed' }] });
    for await (const _chunk of live) {
      // consume
    }
    const again = await ask('first streamed');
    expect(again.response.headers.get('x-frugal-cache')).toBe('hit');
    expect(again.data.choices[0].message.content).toBe('Hello from the mock.');
    expect(upstream.requests.length - before).toBe(1);
  });

  it('never serves one tenant another tenant\'s answer', async () => {
    await ask('tenant question', { 'x-frugal-tags': 'team=red' });
    const other = await ask('tenant question', { 'x-frugal-tags': 'team=blue' });
    expect(other.response.headers.get('x-frugal-cache')).toBe('miss');
    const same = await ask('tenant question', { 'x-frugal-tags': 'team=red' });
    expect(same.response.headers.get('x-frugal-cache')).toBe('hit');
  });

  it('keys on every answer-changing parameter', async () => {
    await ask('params', {}, { max_tokens: 10 });
    expect((await ask('params', {}, { max_tokens: 11 })).response.headers.get('x-frugal-cache')).toBe('miss');
    expect((await ask('params', {}, { max_tokens: 10, stop: ['x'] })).response.headers.get('x-frugal-cache')).toBe('miss');
    expect((await ask('params', {}, { max_tokens: 10 })).response.headers.get('x-frugal-cache')).toBe('hit');
  });

  it('follows x-frugal-cache: no-store, no-cache, ttl opt-in, and rejects an unknown directive', async () => {
    await ask('directives', { 'x-frugal-cache': 'no-store' });
    expect((await ask('directives')).response.headers.get('x-frugal-cache')).toBe('miss');
    expect((await ask('directives', { 'x-frugal-cache': 'no-cache' })).response.headers.get('x-frugal-cache')).toBe('miss');
    expect((await ask('directives')).response.headers.get('x-frugal-cache')).toBe('hit');
    // temperature 1 is not cacheable by default: bypass, unless the client opts in with a ttl.
    const hot = { temperature: 1 };
    expect((await ask('hot', {}, hot)).response.headers.get('x-frugal-cache')).toBe('bypass');
    await ask('hot', { 'x-frugal-cache': 'ttl=60' }, hot);
    expect((await ask('hot', { 'x-frugal-cache': 'ttl=60' }, hot)).response.headers.get('x-frugal-cache')).toBe('hit');
    await expect(ask('bad', { 'x-frugal-cache': 'forever' })).rejects.toMatchObject({ status: 400, param: 'x-frugal-cache' });
  });
});

describe('semantic cache through the SDK', () => {
  it('answers the same question asked differently in the same context, and never across contexts', async () => {
    const gateway = await startTestGateway({
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
      models: [{ name: 'm', provider: 'mock', price: { input: 1, output: 2 } }],
      cache: { semantic: { enabled: true } },
    });
    const sdk = new OpenAI({ apiKey: 'x', baseURL: gateway.baseUrl, maxRetries: 0 });
    const ask = (messages: OpenAI.ChatCompletionMessageParam[]) => sdk.chat.completions.create({ model: 'm', temperature: 0, messages }).withResponse();
    const first = await ask([{ role: 'system', content: 'You are a geography tutor.' }, { role: 'user', content: 'What is the capital of France?' }]);
    expect(first.response.headers.get('x-frugal-cache')).toBe('miss');
    const again = await ask([{ role: 'system', content: 'You are a geography tutor.' }, { role: 'user', content: 'what is the capital of france' }]);
    expect(again.response.headers.get('x-frugal-cache')).toMatch(/^semantic-hit;sim=0\.99\d*|^semantic-hit;sim=1$/);
    expect(again.response.headers.get('x-frugal-route')).toBe('m>semantic-cache>m');
    const otherContext = await ask([{ role: 'system', content: 'You are a travel agent.' }, { role: 'user', content: 'what is the capital of france' }]);
    expect(otherContext.response.headers.get('x-frugal-cache')).toBe('miss');
    await gateway.close();
  });
});

describe('what the cache never stores', () => {
  it('a truncated or filtered answer, plain or streamed, is asked again; a tool call is served from the cache', async () => {
    for (const finish of ['length', 'content_filter']) {
      const question = `cut short [[mock:finish=${finish}]]`;
      await ask(question);
      const again = await ask(question);
      expect(again.response.headers.get('x-frugal-cache')).toBe('miss');
      expect(again.data.choices[0].finish_reason).toBe(finish);
      const stream = await client.chat.completions.create({ model: 'm', temperature: 0, stream: true, messages: [{ role: 'user', content: `streamed, ${question}` }] });
      for await (const _chunk of stream) {
        // consume to the end: a complete stream is stored, if its answer is
      }
      expect((await ask(`streamed, ${question}`)).response.headers.get('x-frugal-cache')).toBe('miss');
    }
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    await ask('Weather in Paris?', {}, { tools });
    const cached = await ask('Weather in Paris?', {}, { tools });
    expect(cached.response.headers.get('x-frugal-cache')).toBe('hit');
    expect(cached.data.choices[0].finish_reason).toBe('tool_calls');
  });
});

describe('a hit is a new completion', () => {
  it('has its own id and created, plain and replayed as a stream, and the stored content', async () => {
    const first = await ask('Give me an id');
    const hit = await ask('Give me an id');
    expect(hit.response.headers.get('x-frugal-cache')).toBe('hit');
    expect(hit.data.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(hit.data.id).not.toBe(first.data.id);
    expect(hit.data.created).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
    expect(hit.data.choices[0].message.content).toBe(first.data.choices[0].message.content);
    const again = await ask('Give me an id');
    expect(again.data.id).not.toBe(hit.data.id);

    const stream = await client.chat.completions.create({ model: 'm', temperature: 0, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Give me an id' }] });
    const ids = new Set<string>();
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      usage ??= chunk.usage;
    }
    expect(ids.size).toBe(1);
    expect([...ids][0]).not.toBe(first.data.id);
    expect([...ids][0]).not.toBe(hit.data.id);
    expect(usage).toMatchObject({ prompt_tokens: first.data.usage!.prompt_tokens, completion_tokens: first.data.usage!.completion_tokens, cost: 0 });
  });
});

describe('semantic cache behind token reduction', () => {
  it('stores the answer under the question as asked, so a rephrasing hits though compression rewrote the prompt', async () => {
    const gateway = await startTestGateway({
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
      models: [{ name: 'm', provider: 'mock', price: { input: 1, output: 2 } }],
      cache: { semantic: { enabled: true } },
      token_reduction: { '*': { compress: { method: 'lossless', min_prompt_tokens: 1 } } },
    });
    try {
      const sdk = new OpenAI({ apiKey: 'x', baseURL: gateway.baseUrl, maxRetries: 0 });
      // The repeated sentence is what lossless clean-up removes: the upstream sees another system prompt.
      const system = 'You answer questions about geography in a calm tone. You answer questions about geography in a calm tone.';
      const ask = (question: string) => sdk.chat.completions.create({ model: 'm', temperature: 0, messages: [{ role: 'system', content: system }, { role: 'user', content: question }] }).withResponse();
      const first = await ask('What is the capital of France?');
      expect(first.response.headers.get('x-frugal-compressed')).not.toBeNull();
      const rephrased = await ask('what is the capital of france');
      expect(rephrased.response.headers.get('x-frugal-cache')).toMatch(/^semantic-hit/);
    } finally {
      await gateway.close();
    }
  });
});

describe('a Messages hit served by an Anthropic upstream', () => {
  it('keeps the stored content and gets its own message id', async () => {
    const key = 'sk-ant-test-key-abcdef123456';
    const anthropic = await startMockAnthropicServer({ apiKey: key });
    const gateway = await startTestGateway(
      {
        providers: { anthropic: { kind: 'anthropic', base_url: anthropic.url, api_key: '${ANTHROPIC_API_KEY}' } },
        models: [{ name: 'claude', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001', price: { input: 1, output: 5 } }],
      },
      { ANTHROPIC_API_KEY: key },
    );
    try {
      const sdk = new Anthropic({ apiKey: 'unused', baseURL: gateway.baseUrl.replace(/\/v1$/, ''), maxRetries: 0 });
      const ask = () => sdk.messages.create({ model: 'claude', max_tokens: 50, temperature: 0, messages: [{ role: 'user', content: 'Hi there' }] } as Anthropic.MessageCreateParamsNonStreaming).withResponse();
      const first = await ask();
      const hit = await ask();
      expect(hit.response.headers.get('x-frugal-cache')).toBe('hit');
      expect(hit.data.content).toEqual(first.data.content);
      expect(hit.data.id).toMatch(/^msg_/);
      expect(hit.data.id).not.toBe(first.data.id);
      expect(anthropic.requests.length).toBe(1);
    } finally {
      await gateway.close();
      await anthropic.close();
    }
  });
});

describe('what splits the key', () => {
  it('max_completion_tokens and max_tokens are one key, and parameters sent at their default do not split it', async () => {
    const before = upstream.requests.length;
    await ask('defaults do not split', {}, { max_tokens: 40 });
    const same: Array<Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>> = [
      { max_completion_tokens: 40 },
      { max_tokens: 40, top_p: 1, presence_penalty: 0, frequency_penalty: 0 },
      { max_tokens: 40, response_format: { type: 'text' } },
      { max_tokens: 40, service_tier: 'auto' },
    ];
    for (const extra of same) expect((await ask('defaults do not split', {}, extra)).response.headers.get('x-frugal-cache')).toBe('hit');
    expect(upstream.requests.length - before).toBe(1);
    // A value that does change the answer still does.
    expect((await ask('defaults do not split', {}, { max_completion_tokens: 40, top_p: 0.5 })).response.headers.get('x-frugal-cache')).toBe('miss');
    expect((await ask('defaults do not split', {}, { max_completion_tokens: 41 })).response.headers.get('x-frugal-cache')).toBe('miss');
  });
});

describe('answers that failed what was asked of them are not stored', () => {
  it('text that is not JSON, to a request for JSON, is asked again; valid JSON is served from the cache', async () => {
    const json = { response_format: { type: 'json_object' as const } };
    await ask('give me JSON', {}, json);
    const again = await ask('give me JSON', {}, json);
    expect(again.response.headers.get('x-frugal-cache')).toBe('miss');
    await ask('give me JSON [[mock:content={"ok":true}]]', {}, json);
    const valid = await ask('give me JSON [[mock:content={"ok":true}]]', {}, json);
    expect(valid.response.headers.get('x-frugal-cache')).toBe('hit');
    expect(JSON.parse(valid.data.choices[0].message.content!)).toEqual({ ok: true });
  });

  it("a cascade answer served unchecked because one request's cost ceiling stopped the escalation is not served to the next", async () => {
    const cheapUpstream = await startMockOpenAIServer({ name: 'cheap' });
    const gateway = await startTestGateway({
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl }, cheap: { kind: 'openai', base_url: cheapUpstream.baseUrl } },
      models: [
        { name: 'cheap', provider: 'cheap', price: { input: 0.001, output: 0.001 } },
        { name: 'dear', provider: 'mock', price: { input: 1000, output: 1000 } },
      ],
      routes: { checked: { strategy: 'cascade', tiers: ['cheap', 'dear'], checks: ['non_empty'] } },
    });
    try {
      const sdk = new OpenAI({ apiKey: 'x', baseURL: gateway.baseUrl, maxRetries: 0 });
      // The cheap tier answers with nothing, which fails non_empty; escalating to 'dear' would pass the ceiling.
      const question = 'an empty answer [[mock(cheap):content=]]';
      const askRoute = (headers: Record<string, string>) =>
        sdk.chat.completions.create({ model: 'checked', temperature: 0, max_tokens: 10, messages: [{ role: 'user', content: question }] }, { headers }).withResponse();
      const capped = await askRoute({ 'x-frugal-max-cost-usd': '0.005' });
      expect(capped.response.headers.get('x-frugal-warnings')).toContain('cost ceiling reached');
      const uncapped = await askRoute({});
      expect(uncapped.response.headers.get('x-frugal-cache')).toBe('miss');
      expect(uncapped.response.headers.get('x-frugal-route')).toMatch(/>dear$/);
    } finally {
      await gateway.close();
      await cheapUpstream.close();
    }
  });
});
