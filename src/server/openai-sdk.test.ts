import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceUsage, usdPerMillionToPico } from '../catalog/pricing.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;
const PROVIDER_KEY = 'sk-upstream-secret-0123456789';

const price = { input: 0.15, output: 0.6, cached_input: 0.075 };
const priceInts = { inputPico: usdPerMillionToPico(price.input), outputPico: usdPerMillionToPico(price.output), cachedInputPico: usdPerMillionToPico(price.cached_input), cacheWritePico: usdPerMillionToPico(price.input) };

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway(
    {
      providers: {
        mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: '${MOCK_KEY}', timeout_ms: 1500 },
        dead: { kind: 'openai', base_url: 'http://127.0.0.1:9/v1' },
      },
      models: [
        { name: 'gpt-4o-mini', provider: 'mock', upstream: 'gpt-4o-mini-2024-07-18', price },
        { name: 'text-embedding-3-small', provider: 'mock', type: 'embedding', price: { input: 0.02, output: 0 } },
        { name: 'unreachable-model', provider: 'dead', price: { input: 1, output: 1 } },
      ],
      server: { body_limit_mb: 0.01 },
      // These tests fail the mock upstream on purpose, one after another; its breaker is not what they test.
      resilience: { circuit_breaker: { consecutive_failures: 1000, min_requests: 1000 } },
    },
    { MOCK_KEY: PROVIDER_KEY },
  );
  client = new OpenAI({ apiKey: 'client-key-not-used', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

function lastUpstreamBody() {
  return upstream.requests[upstream.requests.length - 1].body as Record<string, unknown>;
}

function rowFor(id: string) {
  const row = frugal.rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no ledger row for ${id}`);
  return row;
}

describe('OpenAI SDK against Frugal', () => {
  it('answers a plain chat completion with cost headers, usage.cost and an exact ledger row', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }, { headers: { 'x-frugal-tags': 'feature=greet,team=growth' } })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Hello from the mock.');
    expect(data.model).toBe('gpt-4o-mini-2024-07-18');
    const sent = upstream.usageSent.get(data.id)!;
    const expectedNanos = priceUsage({ promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, priceInts);
    expect(response.headers.get('x-frugal-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-frugal-provider')).toBe('mock');
    expect(Number(response.headers.get('x-frugal-cost-usd'))).toBeCloseTo(expectedNanos / 1e9, 12);
    expect((data.usage as unknown as { cost: number }).cost).toBeCloseTo(expectedNanos / 1e9, 12);
    const requestId = response.headers.get('x-frugal-request-id')!;
    expect(requestId).toMatch(/^frg-/);
    expect(lastUpstreamBody().model).toBe('gpt-4o-mini-2024-07-18');
    // The provider key goes upstream; the client's key does not.
    expect(upstream.requests[upstream.requests.length - 1].headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    const [row] = (await frugal.waitForRows(1)).filter((candidate) => candidate.id === requestId);
    expect(row).toMatchObject({
      requestedModel: 'gpt-4o-mini',
      servedModel: 'gpt-4o-mini',
      provider: 'mock',
      promptTokens: sent.prompt_tokens,
      completionTokens: sent.completion_tokens,
      costNanos: expectedNanos,
      status: 'ok',
      stream: false,
      tokensEstimated: false,
      tags: { feature: 'greet', team: 'growth' },
    });
  });

  it('takes tags from the metadata body field and keeps them from the upstream', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], metadata: { feature: 'meta' } })
      .withResponse();
    expect(lastUpstreamBody().metadata).toBeUndefined();
    expect(response.headers.get('x-frugal-warnings')).toContain('metadata');
    const id = response.headers.get('x-frugal-request-id')!;
    await frugal.waitForRows(frugal.rows.length);
    expect(rowFor(id).tags).toEqual({ feature: 'meta' });
  });

  it('streams with include_usage: the final chunk carries usage and cost, and the row matches it', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count [[mock:words=12,cached_tokens=4]]' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: (OpenAI.CompletionUsage & { cost?: number }) | undefined | null;
    let id = '';
    for await (const chunk of stream) {
      id = chunk.id;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(Array.from({ length: 12 }, (_, i) => `word${i}`).join(' '));
    const sent = upstream.usageSent.get(id)!;
    expect(usage?.prompt_tokens).toBe(sent.prompt_tokens);
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(4);
    const expectedNanos = priceUsage({ promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedPromptTokens: 4, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, priceInts);
    expect(usage?.cost).toBeCloseTo(expectedNanos / 1e9, 12);
    await frugal.waitForRows(frugal.rows.length);
    const row = frugal.rows.find((candidate) => candidate.stream && candidate.cachedTokens === 4)!;
    expect(row).toMatchObject({ promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedTokens: 4, costNanos: expectedNanos, status: 'ok', tokensEstimated: false });
    expect(row.ttftMs).not.toBeNull();
  });

  it('asks upstream for usage on every stream but hides the usage chunk from a client that did not ask', async () => {
    const before = frugal.rows.length;
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect((lastUpstreamBody().stream_options as { include_usage: boolean }).include_usage).toBe(true);
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    const rows = await frugal.waitForRows(before + 1);
    const row = rows[rows.length - 1];
    expect(row.costNanos).toBeGreaterThan(0);
    expect(row.tokensEstimated).toBe(false);
  });

  it('estimates tokens with a real tokenizer when the upstream reports no usage, and says so', async () => {
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi [[mock:no_usage]]' }] }).withResponse();
    await frugal.waitForRows(frugal.rows.length);
    const row = rowFor(response.headers.get('x-frugal-request-id')!);
    expect(row.tokensEstimated).toBe(true);
    expect(row.promptTokens).toBeGreaterThan(0);
    expect(row.completionTokens).toBe(5); // "Hello from the mock." in o200k
    expect(row.costNanos).toBeGreaterThan(0);
  });

  it('passes tools through and returns tool calls, then answers the tool result', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
    ];
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, tool_choice: 'auto' });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(lastUpstreamBody().tools).toEqual(tools);
    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        first.choices[0].message,
        { role: 'tool', tool_call_id: call!.id, content: '18C and sunny' },
      ],
    });
    expect(second.choices[0].message.content).toBe('The tool said: 18C and sunny');
  });

  it('streams tool calls as argument deltas', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      stream: true,
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.tool_calls?.[0];
      if (delta?.function?.name) name = delta.function.name;
      args += delta?.function?.arguments ?? '';
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ location: 'Paris', unit: 'celsius' });
  });

  it('passes response_format, n, stop, seed and logprobs through unchanged', async () => {
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'json please' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      n: 2,
      stop: ['END'],
      seed: 42,
      logprobs: true,
      top_logprobs: 2,
      temperature: 0.2,
    });
    expect(lastUpstreamBody()).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      n: 2,
      stop: ['END'],
      seed: 42,
      logprobs: true,
      top_logprobs: 2,
      temperature: 0.2,
    });
  });

  it('creates embeddings (the SDK asks for base64 and decodes it) and lists models', async () => {
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'], dimensions: 4 });
    expect(embedding.data).toHaveLength(2);
    expect(embedding.data[0].embedding).toHaveLength(4);
    expect((embedding.usage as unknown as { cost: number }).cost).toBeGreaterThan(0);
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(expect.arrayContaining(['gpt-4o-mini', 'text-embedding-3-small']));
    const one = await client.models.retrieve('gpt-4o-mini');
    expect(one.owned_by).toBe('mock');
  });
});

describe('errors through the SDK', () => {
  async function errorOf(run: () => Promise<unknown>) {
    try {
      await run();
    } catch (error) {
      expect(error).toBeInstanceOf(OpenAI.APIError);
      return error as InstanceType<typeof OpenAI.APIError>;
    }
    throw new Error('expected an API error');
  }

  it('404s an unknown model and lists the models that exist', async () => {
    const error = await errorOf(() => client.chat.completions.create({ model: 'gpt-5-imaginary', messages: [{ role: 'user', content: 'x' }] }));
    expect(error.status).toBe(404);
    expect(error.code).toBe('model_not_found');
    expect(error.param).toBe('model');
    expect(error.message).toContain('gpt-4o-mini');
  });

  it('400s a schema violation naming the field', async () => {
    const error = await errorOf(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'robot' as 'user', content: 'x' }] }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe('messages[0].role');
  });

  it('passes an upstream 429 on with its Retry-After', async () => {
    const error = await errorOf(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[mock:status=429,retry_after=7]]' }] }));
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('7');
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.type).toBe('rate_limit_error');
  });

  it('passes an upstream 500 on with its status and records the failure', async () => {
    const error = await errorOf(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[mock:status=500]]' }] }));
    expect(error.status).toBe(500);
    const rows = await frugal.waitForRows(frugal.rows.length);
    expect(rows[rows.length - 1]).toMatchObject({ status: 'error', httpStatus: 500, costNanos: 0 });
  });

  it('never echoes the provider key an upstream puts in its error message', async () => {
    const error = await errorOf(() =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `[[mock:status=401,message=Incorrect API key provided: ${PROVIDER_KEY}]]` }] }),
    );
    // The provider refused the gateway's own key: a 502 naming the provider, not an AuthenticationError over a key
    // this caller never sent.
    expect(error.status).toBe(502);
    expect(error.code).toBe('provider_credentials_rejected');
    expect(error.message).not.toContain(PROVIDER_KEY);
    expect(error.message).not.toContain('0123456789');
  });

  it('answers 502 when the upstream is unreachable and 504 when it hangs past the timeout', async () => {
    const unreachable = await errorOf(() => client.chat.completions.create({ model: 'unreachable-model', messages: [{ role: 'user', content: 'x' }] }));
    expect(unreachable.status).toBe(502);
    expect(unreachable.code).toBe('upstream_unreachable');
    const hang = await errorOf(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[mock:hang]]' }] }));
    expect(hang.status).toBe(504);
    expect(hang.code).toBe('upstream_timeout');
  });

  it('answers 502 for a malformed upstream body and ends a broken stream with an error event', async () => {
    const malformed = await errorOf(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[mock:malformed_json]]' }] }));
    expect(malformed.status).toBe(502);
    expect(malformed.code).toBe('upstream_bad_response');
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[mock:truncated_sse]]' }], stream: true });
    const failure = await errorOf(async () => {
      for await (const _chunk of stream) {
        // reading until the error event
      }
    });
    expect(failure.message).toContain('ended the stream');
  });

  it('413s a body over the limit and 400s malformed JSON', async () => {
    const tooBig = await errorOf(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.code).toBe('payload_too_large');
    const response = await fetch(`${frugal.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json', type: 'invalid_request_error' } });
  });
});
