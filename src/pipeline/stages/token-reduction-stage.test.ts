import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer({ name: 'up' });
  frugal = await startTestGateway({
    providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [
      { name: 'rag-model', provider: 'up', price: { input: 1, output: 2 } },
      { name: 'chat-model', provider: 'up', price: { input: 1, output: 2 } },
      { name: 'cheap', provider: 'up', price: { input: 0.01, output: 0.01 } },
    ],
    token_reduction: {
      'rag-model': { compress: { method: 'extractive', min_prompt_tokens: 200, target_ratio: 2 } },
      'chat-model': { prune: { max_prompt_tokens: 300, keep_last_exchanges: 1, model: 'cheap' } },
    },
    cache: { enabled: false },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});
afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

const FACT = 'The Eiffel Tower was completed in 1889 for the World Fair in Paris.';
const filler = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `${topic} sentence number ${i} talks about unrelated matters of ${topic} history and trade.`).join(' ');

describe('token reduction through the SDK', () => {
  it('compresses long context extractively, keeps the answer and the question, and says so', async () => {
    const document = `${filler('shipping', 25)} ${FACT} ${filler('farming', 25)}`;
    const { response } = await client.chat.completions
      .create({ model: 'rag-model', messages: [{ role: 'user', content: `Document [1](Title: Paris) ${document}\n\nQuestion: When was the Eiffel Tower completed?\nAnswer:` }] })
      .withResponse();
    const header = response.headers.get('x-frugal-compressed')!;
    const [before, after] = header.split('>').map(Number);
    expect(before / after).toBeGreaterThanOrEqual(1.8);
    const sent = String((upstream.requests.at(-1)!.body!.messages as Array<{ content: string }>)[0].content);
    expect(sent).toContain(FACT);
    expect(sent).toContain('Question: When was the Eiffel Tower completed?');
    const rows = await frugal.waitForRows(1);
    const row = rows.at(-1)!;
    expect(row.tokenReduction).toEqual({ before, after });
    // $1 per 1M input = 1 000 nano-dollars per token removed.
    expect(row.savedCompressionNanos).toBe((before - after) * 1000);
  });

  it('summarises old turns of a long conversation once, and reuses the summary on the next turn', async () => {
    const history = Array.from({ length: 6 }, (_, i) => [
      { role: 'user' as const, content: `Turn ${i}: ${filler('weather', 3)}` },
      { role: 'assistant' as const, content: `Reply ${i}: ${filler('climate', 3)}` },
    ]).flat();
    const system = { role: 'system' as const, content: 'You are a helpful assistant.' };
    const before = upstream.requests.length;
    await client.chat.completions.create({ model: 'chat-model', messages: [system, ...history, { role: 'user', content: 'And tomorrow?' }] });
    const summaryCalls = upstream.requests.slice(before).filter((request) => request.body!.model === 'cheap');
    expect(summaryCalls).toHaveLength(1);
    const mainCall = upstream.requests.at(-1)!.body!.messages as Array<{ role: string; content: string }>;
    expect(mainCall[0]).toEqual(system);
    expect(mainCall.at(-1)!.content).toBe('And tomorrow?');
    expect(mainCall.length).toBeLessThan(history.length + 2);

    const again = upstream.requests.length;
    await client.chat.completions.create({ model: 'chat-model', messages: [system, ...history, { role: 'user', content: 'And tomorrow?' }] });
    expect(upstream.requests.slice(again).filter((request) => request.body!.model === 'cheap')).toHaveLength(0);
    const row = (await frugal.waitForRows(3)).at(-1)!;
    expect(row.tokenReduction!.after).toBeLessThan(row.tokenReduction!.before);
  });
});

describe('abstractive compression through the SDK', () => {
  it('summarises very long context with the cheap model once per document, and charges it to the request', async () => {
    const gateway = await startTestGateway({
      providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
      models: [
        { name: 'big', provider: 'up', price: { input: 1, output: 2 } },
        { name: 'cheap', provider: 'up', price: { input: 0.01, output: 0.01 } },
      ],
      token_reduction: { big: { compress: { method: 'abstractive', min_prompt_tokens: 200, target_ratio: 4, model: 'cheap' } } },
      cache: { enabled: false },
    });
    const sdk = new OpenAI({ apiKey: 'x', baseURL: gateway.baseUrl, maxRetries: 0 });
    const document = `${filler('shipping', 40)} ${FACT} ${filler('farming', 40)}`;
    const ask = (question: string) =>
      sdk.chat.completions.create({ model: 'big', messages: [{ role: 'user', content: `Document [1](Title: Paris) ${document}\n\nQuestion: ${question}\nAnswer:` }] }).withResponse();
    const before = upstream.requests.length;
    const first = await ask('When was the Eiffel Tower completed?');
    const calls = upstream.requests.slice(before);
    expect(calls.filter((request) => request.body!.model === 'cheap')).toHaveLength(1);
    expect(first.response.headers.get('x-frugal-compressed')).toMatch(/^\d+>\d+$/);
    const again = upstream.requests.length;
    await ask('Where is the Eiffel Tower?');
    // Same document, another question: the summary is reused, not paid for again.
    expect(upstream.requests.slice(again).filter((request) => request.body!.model === 'cheap')).toHaveLength(0);
    const [row] = await gateway.waitForRows(1);
    // The request's cost includes the summary call; compression's saving is net of it.
    const summaryUsage = [...upstream.usageSent.values()].at(-2)!;
    expect(row.costNanos).toBeGreaterThan(summaryUsage.prompt_tokens * 10);
    expect(row.savedCompressionNanos).toBeLessThan((row.tokenReduction!.before - row.tokenReduction!.after) * 1000);
    await gateway.close();
  });
});
