import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

// One mock per model, named like it, so `[[mock(voter):…]]` addresses the second cheap model alone.
let cheap: MockOpenAIServer;
let voter: MockOpenAIServer;
let strong: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  cheap = await startMockOpenAIServer({ name: 'cheap' });
  voter = await startMockOpenAIServer({ name: 'voter' });
  strong = await startMockOpenAIServer({ name: 'strong' });
  frugal = await startTestGateway({
    providers: {
      'cheap-host': { kind: 'openai', base_url: cheap.baseUrl },
      'voter-host': { kind: 'openai', base_url: voter.baseUrl },
      'strong-host': { kind: 'openai', base_url: strong.baseUrl },
    },
    models: [
      // Distinct prices, so a cost shows which calls it includes.
      { name: 'cheap', provider: 'cheap-host', price: { input: 0.1, output: 0.2 } },
      { name: 'voter', provider: 'voter-host', price: { input: 0.3, output: 0.4 } },
      { name: 'strong', provider: 'strong-host', price: { input: 1, output: 2 } },
    ],
    routes: {
      math: { strategy: 'cascade', tiers: ['cheap', 'strong'], checks: ['answer_stated', 'arithmetic'] },
      voted: { strategy: 'cascade', tiers: ['cheap', 'strong'], checks: [{ agree: { model: 'voter' } }] },
    },
    // These tests fail models on purpose; breakers are not what they test.
    resilience: { circuit_breaker: { consecutive_failures: 1000, min_requests: 1000 } },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await cheap?.close();
  await voter?.close();
  await strong?.close();
});

async function ask(model: string, content: string) {
  return client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse();
}

/** The ledger row of the request sent after `before` was taken (streams record theirs when they end). */
async function rowAfter(before: ReturnType<typeof counts>) {
  const rows = await frugal.waitForRows(before.rows + 1);
  expect(rows).toHaveLength(before.rows + 1);
  return rows[before.rows];
}

// Nano-dollars per token: $0.1 per 1M tokens is 100 nano-dollars a token.
const nanosPerToken = { cheap: [100, 200], voter: [300, 400], strong: [1000, 2000] } as const;

/** What the mock's last answer cost at `model`'s price, from the usage it sent. */
function lastCallNanos(server: MockOpenAIServer, model: keyof typeof nanosPerToken): number {
  const usage = [...server.usageSent.values()].at(-1)!;
  return usage.prompt_tokens * nanosPerToken[model][0] + usage.completion_tokens * nanosPerToken[model][1];
}

function counts() {
  return { cheap: cheap.requests.length, voter: voter.requests.length, strong: strong.requests.length, rows: frugal.rows.length };
}

function callsSince(before: ReturnType<typeof counts>) {
  const now = counts();
  // Upstream calls only: the ledger rows are read with rowAfter.
  return { cheap: now.cheap - before.cheap, voter: now.voter - before.voter, strong: now.strong - before.strong };
}

describe('answer_stated and arithmetic', () => {
  it('serves the cheap tier when its worked answer is right and states a result', async () => {
    const before = counts();
    const { data, response } = await ask('math', 'How far does he run? [[mock(cheap):content=3 x 60 = 180 meters. #### 180]]');
    expect(data.choices[0].message.content).toBe('3 x 60 = 180 meters. #### 180');
    expect(response.headers.get('x-frugal-route')).toBe('math>cascade>cheap');
    expect(response.headers.get('x-frugal-model')).toBe('cheap');
    expect(callsSince(before)).toEqual({ cheap: 1, voter: 0, strong: 0 });
    expect((await rowAfter(before)).routeTrace).toBe('math>cascade>cheap');
  });

  it('escalates an answer with a wrong step to the strong tier', async () => {
    const before = counts();
    const { data, response } = await ask('math', 'How far in a week? [[mock(cheap):content=3 x 60 = 180 meters so 180 x 3 = 560 a week. #### 560]]');
    expect(data.choices[0].message.content).toBe('Hello from the mock.');
    expect(response.headers.get('x-frugal-route')).toBe('math>cascade:cheap(fail:arithmetic)>strong');
    expect(response.headers.get('x-frugal-model')).toBe('strong');
    expect(callsSince(before)).toEqual({ cheap: 1, voter: 0, strong: 1 });
    const row = await rowAfter(before);
    expect(row.routeTrace).toBe('math>cascade:cheap(fail:arithmetic)>strong');
    expect(row.servedModel).toBe('strong');
    expect(row.status).toBe('ok');
  });

  it('escalates an answer that states no final answer', async () => {
    const before = counts();
    const { response } = await ask('math', 'How far does he run? [[mock(cheap):content=He runs 3 x 60 = 180 meters and then he]]');
    expect(response.headers.get('x-frugal-route')).toBe('math>cascade:cheap(fail:answer_stated)>strong');
    expect((await rowAfter(before)).routeTrace).toBe('math>cascade:cheap(fail:answer_stated)>strong');
  });
});

describe('agree', () => {
  it('serves the cheap answer when the second model states the same answer, and charges for both', async () => {
    const before = counts();
    const { data, response } = await ask('voted', 'What is 6 x 7? [[mock(cheap):content=The answer is 42.]] [[mock(voter):content=6 x 7 = 42. #### 42]]');
    expect(data.choices[0].message.content).toBe('The answer is 42.');
    expect(response.headers.get('x-frugal-route')).toBe('voted>cascade>cheap');
    expect(response.headers.get('x-frugal-model')).toBe('cheap');
    expect(callsSince(before)).toEqual({ cheap: 1, voter: 1, strong: 0 });
    // The voter was asked the same question, not something else.
    expect(voter.requests.at(-1)!.body!.messages).toEqual(cheap.requests.at(-1)!.body!.messages);
    const row = await rowAfter(before);
    expect(row.routeTrace).toBe('voted>cascade>cheap');
    expect(row.costNanos).toBe(lastCallNanos(cheap, 'cheap') + lastCallNanos(voter, 'voter'));
    expect((data.usage as unknown as { cost: number }).cost).toBeCloseTo(row.costNanos / 1e9, 12);
  });

  it('escalates when the two cheap models state different answers, every call in the cost', async () => {
    const before = counts();
    const { data, response } = await ask('voted', 'What is 6 x 7? [[mock(cheap):content=The answer is 42.]] [[mock(voter):content=#### 48]]');
    expect(data.choices[0].message.content).toBe('Hello from the mock.');
    expect(response.headers.get('x-frugal-route')).toBe('voted>cascade:cheap(fail:agree)>strong');
    expect(response.headers.get('x-frugal-model')).toBe('strong');
    expect(callsSince(before)).toEqual({ cheap: 1, voter: 1, strong: 1 });
    const row = await rowAfter(before);
    expect(row.routeTrace).toBe('voted>cascade:cheap(fail:agree)>strong');
    expect(row.costNanos).toBe(lastCallNanos(cheap, 'cheap') + lastCallNanos(voter, 'voter') + lastCallNanos(strong, 'strong'));
  });

  it('escalates rather than fails when the second model answers 500', async () => {
    const before = counts();
    const { data, response } = await ask('voted', 'What is 6 x 7? [[mock(cheap):content=The answer is 42.]] [[mock(voter):status=500]]');
    expect(data.choices[0].message.content).toBe('Hello from the mock.');
    expect(response.headers.get('x-frugal-route')).toBe('voted>cascade:cheap(fail:agree)>strong');
    expect(callsSince(before)).toEqual({ cheap: 1, voter: 1, strong: 1 });
    const row = await rowAfter(before);
    expect(row.status).toBe('ok');
    expect(row.routeTrace).toBe('voted>cascade:cheap(fail:agree)>strong');
    // The voter's failed call sent no usage, so only the two answers are charged.
    expect(row.costNanos).toBe(lastCallNanos(cheap, 'cheap') + lastCallNanos(strong, 'strong'));
  });

  it('streams the agreed cheap answer whole to a streaming client', async () => {
    const before = counts();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'voted', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'What is 6 x 7? [[mock(cheap):content=Six times seven: the answer is 42.]] [[mock(voter):content=#### 42]]' }] })
      .withResponse();
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Six times seven: the answer is 42.');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-frugal-route')).toBe('voted>cascade>cheap');
    // Both cheap calls were buffered: the client's stream was not passed on to them.
    expect(callsSince(before)).toEqual({ cheap: 1, voter: 1, strong: 0 });
    expect(cheap.requests.at(-1)!.body!.stream).not.toBe(true);
    expect(voter.requests.at(-1)!.body!.stream).not.toBe(true);
    const row = await rowAfter(before);
    expect(row.routeTrace).toBe('voted>cascade>cheap');
    expect(row.stream).toBe(true);
    expect(row.status).toBe('ok');
    expect(row.costNanos).toBe(lastCallNanos(cheap, 'cheap') + lastCallNanos(voter, 'voter'));
    expect((usage as unknown as { cost: number }).cost).toBeCloseTo(row.costNanos / 1e9, 12);
  });

  it('streams the strong tier live to a streaming client when the cheap models disagree', async () => {
    const before = counts();
    const stream = await client.chat.completions.create({
      model: 'voted',
      stream: true,
      messages: [{ role: 'user', content: 'What is 6 x 7? [[mock(cheap):content=The answer is 42.]] [[mock(voter):content=The answer is 36.]] [[mock(strong):content=6 x 7 = 42 so the answer is 42.]]' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('6 x 7 = 42 so the answer is 42.');
    expect(strong.requests.at(-1)!.body!.stream).toBe(true);
    const row = await rowAfter(before);
    expect(row.routeTrace).toBe('voted>cascade:cheap(fail:agree)>strong');
    expect(row.servedModel).toBe('strong');
    expect(row.status).toBe('ok');
  });
});
