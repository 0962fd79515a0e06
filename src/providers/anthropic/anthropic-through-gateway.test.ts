import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';

const KEY = 'sk-ant-test-key-abcdef123456';
let upstream: MockAnthropicServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockAnthropicServer({ apiKey: KEY });
  frugal = await startTestGateway(
    {
      providers: { anthropic: { kind: 'anthropic', base_url: upstream.url, api_key: '${ANTHROPIC_API_KEY}' } },
      // claude-haiku-4-5 from the built-in catalog: $1 in, $5 out, $0.10 cache read, $1.25 cache write per 1M.
      models: [{ name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001' }],
    },
    { ANTHROPIC_API_KEY: KEY },
  );
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
  upstream.setScenario('cached', { text: 'Cached hello.', usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500 } });
  upstream.setScenario('overloaded', { error: { status: 529, type: 'overloaded_error', message: 'Overloaded', retryAfter: '3' } });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

// 100 uncached * 1000 + 3000 read * 100 + 500 written * 1250 + 20 out * 5000 nano-dollars
const CACHED_COST = 100 * 1000 + 3000 * 100 + 500 * 1250 + 20 * 5000;

describe('OpenAI SDK → Frugal → Anthropic', () => {
  it('translates a plain call both ways, system prompt included, and prices cache reads and writes', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'claude-haiku-4-5', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi [[mock:cached]]' }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Cached hello.');
    expect(data.usage?.prompt_tokens).toBe(3600);
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(3000);
    const sent = upstream.requests[upstream.requests.length - 1];
    expect(sent.body).toMatchObject({ model: 'claude-haiku-4-5-20251001', system: 'Be brief.', messages: [{ role: 'user' }] });
    expect(sent.headers['x-api-key']).toBe(KEY);
    expect(Number(response.headers.get('x-frugal-cost-usd'))).toBeCloseTo(CACHED_COST / 1e9, 12);
    const [row] = await frugal.waitForRows(1);
    expect(row).toMatchObject({ provider: 'anthropic', promptTokens: 3600, cachedTokens: 3000, cacheCreationTokens: 500, completionTokens: 20, costNanos: CACHED_COST });
  });

  it('streams with usage, and the streamed row is as exact as the plain one', async () => {
    const before = frugal.rows.length;
    const stream = await client.chat.completions.create({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'Hi [[mock:cached]]' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Cached hello.');
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(3000);
    const rows = await frugal.waitForRows(before + 1);
    expect(rows[rows.length - 1]).toMatchObject({ stream: true, cachedTokens: 3000, cacheCreationTokens: 500, costNanos: CACHED_COST, tokensEstimated: false });
  });

  it('round-trips a tool call and its result', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
    const first = await client.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
    const call = first.choices[0].message.tool_calls![0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });
    const second = await client.chat.completions.create({
      model: 'claude-haiku-4-5',
      tools,
      messages: [{ role: 'user', content: 'Weather in Paris?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '18C' }],
    });
    expect(second.choices[0].message.content).toBe('The tool said: 18C');
  });

  it("passes Anthropic's overload on as a retryable error with Retry-After, without the key", async () => {
    try {
      await client.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'x [[mock:overloaded]]' }] });
      throw new Error('expected an error');
    } catch (error) {
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError).toBeInstanceOf(OpenAI.APIError);
      expect([503, 529]).toContain(apiError.status);
      expect(apiError.headers?.get('retry-after')).toBe('3');
      expect(apiError.message).not.toContain(KEY);
    }
  });
});

describe('Anthropic prompt caching', () => {
  it('marks a long system prompt for caching and records the net saving in the ledger', async () => {
    const mock = await startMockAnthropicServer();
    const gateway = await startTestGateway({
      providers: { anthropic: { kind: 'anthropic', base_url: mock.url, api_key: 'k', prompt_caching: { min_tokens: 1024 } } },
      models: [{ name: 'claude-haiku-4-5', provider: 'anthropic' }],
    });
    mock.setScenario('read', { text: 'ok', usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 2000, cache_creation_input_tokens: 0 } });
    const sdk = new OpenAI({ apiKey: 'x', baseURL: gateway.baseUrl, maxRetries: 0 });
    const { response } = await sdk.chat.completions
      .create({ model: 'claude-haiku-4-5', messages: [{ role: 'system', content: 'Policy. '.repeat(800) }, { role: 'user', content: 'q [[mock:read]]' }] })
      .withResponse();
    expect(mock.requests.at(-1)!.body!.system).toEqual([{ type: 'text', text: 'Policy. '.repeat(800), cache_control: { type: 'ephemeral' } }]);
    expect(response.headers.get('x-frugal-warnings')).toContain('prompt-cache breakpoint');
    const [row] = await gateway.waitForRows(1);
    // 2000 tokens read at $0.10 instead of $1.00 per 1M: 900 nano-dollars each.
    expect(row.savedPromptCacheNanos).toBe(2000 * 900);
    // The caller named claude-haiku-4-5 ($1 / $5 per 1M): that is the baseline, 2010 prompt + 2 output tokens, so the
    // whole saving is the prompt cache's and none is routing's.
    expect(row.baselineNanos).toBe(2010 * 1000 + 2 * 5000);
    expect(row.savedNanos).toBe(row.baselineNanos - row.costNanos);
    expect(row.savedPromptCacheNanos).toBe(row.savedNanos);
    expect(row.savedRoutingNanos).toBe(0);
    // Naming haiku instead of the gpt-4o baseline ($2.50 / $10) is the caller's choice, shown apart.
    expect(row.callerChoiceNanos).toBe(2010 * 2500 + 2 * 10_000 - row.baselineNanos);
    await gateway.close();
    await mock.close();
  });
});
