import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let primary: MockOpenAIServer;
let backup: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

const price = { input: 0.1, output: 0.2 };

beforeAll(async () => {
  primary = await startMockOpenAIServer({ name: 'primary' });
  backup = await startMockOpenAIServer({ name: 'backup' });
  frugal = await startTestGateway({
    providers: {
      primary: { kind: 'openai', base_url: primary.baseUrl },
      backup: { kind: 'openai', base_url: backup.baseUrl },
    },
    models: [
      { name: 'cheap', provider: 'primary', price, context: 400 },
      { name: 'strong', provider: 'backup', price: { input: 1, output: 2 } },
      { name: 'judge', provider: 'backup', price },
    ],
    routes: {
      premium: { strategy: 'fallback', chain: ['cheap', 'strong'], retries: { attempts: 2, base_ms: 1, max_ms: 50 }, timeouts: { first_token_ms: 300 } },
      support: { strategy: 'cascade', tiers: ['cheap', 'strong'], checks: ['non_empty', 'not_refusal', 'finished', 'valid_json'] },
      judged: { strategy: 'cascade', tiers: ['cheap', 'strong'], checks: [{ judge: { model: 'judge', min: 0.8 } }] },
      auto: { strategy: 'classify', tasks: { code: 'strong', translate: 'cheap', simple: 'cheap' }, default: 'cheap' },
      declared: { strategy: 'map', tasks: { code: 'strong', chat: 'cheap' }, default: 'cheap' },
    },
    // These tests fail the cheap model on purpose, many times; its breaker gets its own test.
    resilience: { circuit_breaker: { consecutive_failures: 1000, min_requests: 1000 } },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await primary?.close();
  await backup?.close();
});

async function ask(model: string, content: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}, headers: Record<string, string> = {}) {
  return client.chat.completions.create({ model, messages: [{ role: 'user', content }], ...extra }, { headers }).withResponse();
}

async function lastRow() {
  await frugal.waitForRows(frugal.rows.length);
  return frugal.rows[frugal.rows.length - 1];
}

describe('fallback', () => {
  it('moves down the chain when the first model keeps answering 503', async () => {
    const before = primary.requests.length;
    const { data, response } = await ask('premium', 'hello [[mock(primary):status=503]]');
    expect(data.choices[0].message.content).toBe('Hello from the mock.');
    expect(response.headers.get('x-frugal-model')).toBe('strong');
    expect(response.headers.get('x-frugal-route')).toBe('premium>fallback:cheap(fail:503)>strong');
    // Two tries on the first model (attempts: 2), then the backup.
    expect(primary.requests.length - before).toBe(2);
    expect((await lastRow()).routeTrace).toBe('premium>fallback:cheap(fail:503)>strong');
  });

  it('does not wait out a Retry-After longer than its backoff allows: it fails over at once', async () => {
    const before = primary.requests.length;
    const { response } = await ask('premium', 'hello [[mock(primary):status=429,retry_after=30]]');
    expect(primary.requests.length - before).toBe(1);
    expect(response.headers.get('x-frugal-route')).toBe('premium>fallback:cheap(fail:429)>strong');
  });

  it('fails over on an unreachable or malformed upstream but not on a bad request', async () => {
    const malformed = await ask('premium', 'x [[mock(primary):malformed_json]]');
    expect(malformed.response.headers.get('x-frugal-route')).toBe('premium>fallback:cheap(fail:bad_response)>strong');
    await expect(ask('premium', 'x [[mock(primary):status=400]]')).rejects.toMatchObject({ status: 400 });
  });

  it('fails a stream over when the first token is too slow, before any byte reached the client', async () => {
    const stream = await client.chat.completions.create({ model: 'premium', stream: true, messages: [{ role: 'user', content: 'x [[mock(primary):first_token_ms=2000]]' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello from the mock.');
    const row = await lastRow();
    expect(row.routeTrace).toBe('premium>fallback:cheap(fail:ttft)>strong');
    expect(row.status).toBe('ok');
  });

  it('ends a stream that breaks after its first byte with an error event, not a silent cut', async () => {
    const stream = await client.chat.completions.create({ model: 'premium', stream: true, messages: [{ role: 'user', content: 'x [[mock(primary):reset_mid_stream]]' }] });
    await expect(async () => {
      for await (const _chunk of stream) {
        // reading until the break
      }
    }).rejects.toThrow();
    expect((await lastRow()).status).toBe('error');
  });

  it('skips a model whose context window cannot hold the prompt', async () => {
    const { response } = await ask('premium', 'long '.repeat(500));
    expect(response.headers.get('x-frugal-route')).toBe('premium>fallback:cheap(fail:skip:context)>strong');
  });
});

describe('cascade', () => {
  it('serves the cheap tier when its answer passes every check', async () => {
    const { response } = await ask('support', 'hello');
    expect(response.headers.get('x-frugal-route')).toBe('support>cascade>cheap');
  });

  it('escalates a refusal and keeps the failed tier in the cost', async () => {
    const { data, response } = await ask('support', "[[mock(primary):content=I'm sorry, I can't help with that.]]");
    expect(response.headers.get('x-frugal-route')).toBe('support>cascade:cheap(fail:not_refusal)>strong');
    expect(response.headers.get('x-frugal-model')).toBe('strong');
    const row = await lastRow();
    const tiers = [primary, backup].map((server) => [...server.usageSent.values()].at(-1)!);
    // cheap: $0.1/$0.2 per 1M → 100/200 nano-dollars per token; strong: 1000/2000.
    expect(row.costNanos).toBe(tiers[0].prompt_tokens * 100 + tiers[0].completion_tokens * 200 + tiers[1].prompt_tokens * 1000 + tiers[1].completion_tokens * 2000);
    expect((data.usage as unknown as { cost: number }).cost).toBeCloseTo(row.costNanos / 1e9, 12);
  });

  it('escalates an answer cut by max_tokens and an invalid JSON answer when JSON was asked for', async () => {
    expect((await ask('support', '[[mock(primary):finish=length]]')).response.headers.get('x-frugal-route')).toBe('support>cascade:cheap(fail:finished)>strong');
    const json = await ask('support', '[[mock(primary):content=not json]]', { response_format: { type: 'json_object' } });
    expect(json.response.headers.get('x-frugal-route')).toBe('support>cascade:cheap(fail:valid_json)>strong');
  });

  it('buffers the cheap tier of a streamed request so a failed answer never reaches the client', async () => {
    const stream = await client.chat.completions.create({ model: 'support', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: "[[mock(primary):content=I cannot help with that.]]" }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the mock.');
    // The directive addresses the cheap tier only: the text above is the strong tier's default answer.
    const row = await lastRow();
    expect(row.routeTrace).toBe('support>cascade:cheap(fail:not_refusal)>strong');
    expect(row.status).toBe('ok');
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('asks a judge model and escalates on a low score', async () => {
    // The judge is served by the backup mock, which answers "0.3" here: below the 0.8 bar.
    const { response } = await ask('judged', 'Explain [[mock(backup):content=0.3]]');
    expect(response.headers.get('x-frugal-route')).toBe('judged>cascade:cheap(fail:judge)>strong');
  });
});

describe('task routes', () => {
  it('classifies a code prompt to the code model and says so', async () => {
    const { response } = await ask('auto', 'Write a Python function that reverses a linked list.\n```python\ndef reverse(head):\n```');
    expect(response.headers.get('x-frugal-route')).toBe('auto>classify:code>strong');
  });

  it('takes the task from x-frugal-task on a map route', async () => {
    const { response } = await ask('declared', 'anything at all', {}, { 'x-frugal-task': 'code' });
    expect(response.headers.get('x-frugal-route')).toBe('declared>map:code>strong');
  });

  it('404s an unknown route or model, listing routes too', async () => {
    await expect(ask('nope', 'x')).rejects.toMatchObject({ status: 404, message: expect.stringContaining('premium') });
  });
});
