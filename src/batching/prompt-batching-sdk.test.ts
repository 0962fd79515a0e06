import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceUsage, usdPerMillionToPico } from '../catalog/pricing.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { requestNeeds } from '../request/fit-check.js';
import { countTextTokens } from '../tokens/count-tokens.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';
import type { ChatRequest } from '../wire/chat-types.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

const rates = { inputPico: usdPerMillionToPico(0.15), outputPico: usdPerMillionToPico(0.6), cachedInputPico: usdPerMillionToPico(0.075), cacheWritePico: usdPerMillionToPico(0.15) };
const SYSTEM = 'You answer support questions in one short sentence.';

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway(
    {
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test' } },
      models: [{ name: 'mini', provider: 'mock', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6, cached_input: 0.075 } }],
      routes: { support: { strategy: 'fallback', chain: ['mini'], batching: { window_ms: 300, max_items: 3 } } },
      cache: { enabled: false },
      savings: { baseline_model: 'mini' },
    },
    {},
  );
  client = new OpenAI({ apiKey: 'client-key', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

const body = (question: string, system = SYSTEM): ChatRequest => ({ model: 'support', temperature: 0, messages: [{ role: 'system', content: system }, { role: 'user', content: question }] });

async function askAll(questions: ChatRequest[]) {
  const before = upstream.requests.length;
  const replies = await Promise.all(questions.map((question) => client.chat.completions.create(question as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse()));
  const ids = replies.map(({ response }) => response.headers.get('x-frugal-request-id')!);
  // Rows are recorded when each reply has been sent: wait until all of these are in.
  const deadline = Date.now() + 5_000;
  while (!ids.every((id) => frugal.rows.some((row) => row.id === id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return { replies: replies.map(({ data }) => data), rows: ids.map((id) => frugal.rows.find((row) => row.id === id)!), calls: upstream.requests.slice(before) };
}

const savedParts = (row: LedgerRow) => row.savedRoutingNanos + row.savedCacheNanos + row.savedCompressionNanos + row.savedPromptCacheNanos + row.savedBatchNanos + row.savedBatchingNanos;

describe('prompt batching through the OpenAI SDK', () => {
  it('sends three concurrent questions as one call and splits the answer into three replies priced exactly', async () => {
    const questions = [
      body('Where is my parcel? [[mock:content==== ANSWER 1 ===\nIt ships today.\n=== ANSWER 2 ===\nUse the reset link.\n=== ANSWER 3 ===\nWithin 14 days.]]'),
      body('How do I reset my password?'),
      body('How long do refunds take?'),
    ];
    const { replies, rows, calls } = await askAll(questions);
    expect(calls).toHaveLength(1);
    expect((calls[0].body as ChatRequest).messages[1].content).toContain('Question 3:\nHow long do refunds take?');
    expect(replies.map((reply) => reply.choices[0].message.content)).toEqual(['It ships today.', 'Use the reset link.', 'Within 14 days.']);
    expect(new Set(replies.map((reply) => reply.id)).size).toBe(3);

    const sent = upstream.usageSent.get([...upstream.usageSent.keys()].at(-1)!)!;
    const combinedCost = priceUsage({ promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedPromptTokens: sent.cached_tokens, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, rates);
    expect(rows.reduce((sum, row) => sum + row.costNanos, 0)).toBe(combinedCost);
    expect(rows.reduce((sum, row) => sum + row.promptTokens, 0)).toBe(sent.prompt_tokens);
    expect(rows.reduce((sum, row) => sum + row.completionTokens, 0)).toBe(sent.completion_tokens);
    expect(replies.map((reply) => reply.usage!.prompt_tokens)).toEqual(rows.map((row) => row.promptTokens));
    for (const [index, row] of rows.entries()) {
      const alone = priceUsage({ promptTokens: requestNeeds(questions[index]).promptTokens, completionTokens: countTextTokens(replies[index].choices[0].message.content!), cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, rates);
      expect(row.savedBatchingNanos).toBe(alone - row.costNanos);
      expect(row.savedNanos).toBe(savedParts(row));
      expect(row.warnings).toContain(`prompt batching: answered as ${index + 1} of 3 in one call; tokens and cost are this request's share`);
    }
  });

  it('re-sends each request alone when the batched answer cannot be split, and books the failed call against batching', async () => {
    const { replies, rows, calls } = await askAll([body('What are your opening hours?'), body('Do you ship to Norway?')]);
    // One batched call the mock answered without sections, then one call per request.
    expect(calls).toHaveLength(3);
    expect(replies.map((reply) => reply.choices[0].message.content)).toEqual(['Hello from the mock.', 'Hello from the mock.']);
    const costs = [...upstream.usageSent.values()].slice(-3).map((sent) => priceUsage({ promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, rates));
    expect(rows[0].costNanos + rows[1].costNanos).toBe(costs[0] + costs[1] + costs[2]);
    for (const row of rows) {
      expect(row.savedBatchingNanos).toBeLessThan(0);
      expect(row.warnings).toContain('prompt batching: the batched answer could not be split into 2 answers; re-sent alone');
      expect(row.savedNanos).toBe(savedParts(row));
    }
    expect(-(rows[0].savedBatchingNanos + rows[1].savedBatchingNanos)).toBe(costs[0]);
  });

  it('never batches requests whose system prompts or parameters differ', async () => {
    const { calls, rows } = await askAll([body('Hi?', 'Be formal.'), body('Hi?', 'Be casual.'), { ...body('Hi?'), temperature: 1 }]);
    expect(calls).toHaveLength(3);
    expect(rows.every((row) => row.savedBatchingNanos === 0 && !row.warnings.some((warning) => warning.startsWith('prompt batching')))).toBe(true);
  });
});
