import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceUsage, usdPerMillionToPico } from '../../catalog/pricing.js';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

const ANTHROPIC_KEY = 'sk-ant-test-key-responses-0123';
const price = { input: 0.15, output: 0.6 };
const pico = { inputPico: usdPerMillionToPico(price.input), outputPico: usdPerMillionToPico(price.output), cachedInputPico: usdPerMillionToPico(price.input), cacheWritePico: usdPerMillionToPico(price.input) };
let openaiUpstream: MockOpenAIServer;
let anthropicUpstream: MockAnthropicServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  openaiUpstream = await startMockOpenAIServer();
  anthropicUpstream = await startMockAnthropicServer({ apiKey: ANTHROPIC_KEY });
  frugal = await startTestGateway(
    {
      providers: {
        mock: { kind: 'openai', base_url: openaiUpstream.baseUrl },
        anthropic: { kind: 'anthropic', base_url: anthropicUpstream.url, api_key: '${ANTHROPIC_API_KEY}' },
      },
      models: [
        { name: 'gpt-4o-mini', provider: 'mock', upstream: 'gpt-4o-mini-2024-07-18', price },
        { name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001', price: { input: 1, output: 5 } },
      ],
      routes: { 'claude-first': { strategy: 'fallback', chain: ['claude-haiku-4-5', 'gpt-4o-mini'] } },
      cache: { enabled: false },
    },
    { ANTHROPIC_API_KEY: ANTHROPIC_KEY },
  );
  client = new OpenAI({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
});

const lastOpenAIBody = () => openaiUpstream.requests[openaiUpstream.requests.length - 1].body as Record<string, unknown>;
const lastAnthropicBody = () => anthropicUpstream.requests[anthropicUpstream.requests.length - 1].body as Record<string, unknown>;
const rowFor = async (requestId: string) => {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const row = frugal.rows.find((candidate) => candidate.id === requestId);
    if (row) return row;
    if (Date.now() > deadline) throw new Error(`no ledger row for ${requestId}`);
    await frugal.waitForRows(frugal.rows.length + 1, 200).catch(() => undefined);
  }
};

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } }, required: ['location', 'unit'], additionalProperties: false },
  strict: true,
};

describe('POST /v1/responses through the openai client', () => {
  it('answers text with the Responses usage shape, usage.cost and the same ledger row a chat request leaves', async () => {
    const { data, response } = await client.responses
      .create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Say hello', max_output_tokens: 50, temperature: 0.3, metadata: { feature: 'greet' } })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe('Hello from the mock.');
    expect(data.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello from the mock.', annotations: [], logprobs: [] }] },
    ]);
    expect(data.model).toBe('gpt-4o-mini-2024-07-18');
    expect(data.instructions).toBe('Be brief.');
    expect(data.metadata).toEqual({ feature: 'greet' });
    // The chat request the pipeline ran: instructions as the system turn, limits renamed.
    expect(lastOpenAIBody()).toMatchObject({
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }],
      max_tokens: 50,
      temperature: 0.3,
    });
    const sent = openaiUpstream.usageSent.get([...openaiUpstream.usageSent.keys()].pop()!)!;
    const nanos = priceUsage({ promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }, pico);
    expect(data.usage).toEqual({
      input_tokens: sent.prompt_tokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: sent.completion_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: sent.prompt_tokens + sent.completion_tokens,
      cost: nanos / 1e9,
    });
    expect(Number(response.headers.get('x-frugal-cost-usd'))).toBeCloseTo(nanos / 1e9, 12);
    const row = await rowFor(response.headers.get('x-frugal-request-id')!);
    expect(row).toMatchObject({ requestedModel: 'gpt-4o-mini', servedModel: 'gpt-4o-mini', status: 'ok', stream: false, costNanos: nanos, tags: { feature: 'greet' } });
  });

  it('reports a cut answer as incomplete with max_output_tokens', async () => {
    const data = await client.responses.create({ model: 'gpt-4o-mini', input: 'Go on [[mock:finish=length]]', max_output_tokens: 16 });
    expect(data.status).toBe('incomplete');
    expect(data.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(data.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
  });

  it('runs a function tool round trip: function_call out, function_call_output back in', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', tools: [WEATHER], tool_choice: 'auto' });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toEqual({ type: 'function_call', id: expect.stringMatching(/^fc_/), status: 'completed', call_id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' });
    expect(lastOpenAIBody().tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER.parameters, strict: true } }]);
    if (call?.type !== 'function_call') throw new Error('no function call');
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      store: false,
      tools: [WEATHER],
      input: [{ role: 'user', content: 'Weather in Paris?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '18°C and sunny' }],
    });
    expect(second.output_text).toBe('The tool said: 18°C and sunny');
    expect(lastOpenAIBody().messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }] },
      { role: 'tool', tool_call_id: call.call_id, content: '18°C and sunny' },
    ]);
    // store: false keeps nothing.
    await expect(client.responses.retrieve(second.id)).rejects.toMatchObject({ status: 404 });
  });

  it('passes text.format json_schema on as response_format', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const data = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Which city? [[mock:content={"city":"Paris"}]]',
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
    });
    expect(JSON.parse(data.output_text)).toEqual({ city: 'Paris' });
    expect(data.text?.format).toEqual({ type: 'json_schema', name: 'city', schema, strict: true });
    expect(lastOpenAIBody().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'city', schema, strict: true } });
  });

  it('continues a conversation with previous_response_id on an OpenAI-compatible upstream', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', instructions: 'First instructions', input: 'My name is Ada.' });
    const second = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: first.id, input: 'What is my name?' });
    expect(second.previous_response_id).toBe(first.id);
    // The stored turns, then the new input; the first call's instructions are not carried over.
    expect(lastOpenAIBody().messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello from the mock.' },
      { role: 'user', content: 'What is my name?' },
    ]);
    const third = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: second.id, input: 'And again?' });
    expect(third.status).toBe('completed');
    expect((lastOpenAIBody().messages as unknown[]).length).toBe(5);
  });

  it('continues a conversation with previous_response_id on an Anthropic upstream, tool turns included', async () => {
    const first = await client.responses.create({ model: 'claude-haiku-4-5', input: 'Weather in Paris?', tools: [WEATHER] });
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function call from the Anthropic upstream');
    const second = await client.responses.create({
      model: 'claude-haiku-4-5',
      previous_response_id: first.id,
      tools: [WEATHER],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'Rainy' }],
    });
    expect(second.output_text).toBe('The tool said: Rainy');
    const third = await client.responses.create({ model: 'claude-haiku-4-5', previous_response_id: second.id, input: 'Thanks!' });
    expect(third.output_text).toBe('Hello from the mock.');
    // The whole chain reached Anthropic in its own shape: tool_use answered by tool_result, turn by turn.
    expect(lastAnthropicBody().messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: call.call_id, name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.call_id, content: 'Rainy' }] },
      { role: 'assistant', content: 'The tool said: Rainy' },
      { role: 'user', content: 'Thanks!' },
    ]);
  });

  it('retrieves, lists the input items of, and deletes a stored response', async () => {
    const created = await client.responses.create({
      model: 'gpt-4o-mini',
      input: [
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
        { role: 'user', content: 'Again' },
      ],
    });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: 'completed', output: created.output, usage: created.usage });
    const items = [];
    for await (const item of client.responses.inputItems.list(created.id, { order: 'asc', limit: 2 })) items.push(item);
    expect(items.map((item) => (item.type === 'message' ? item.role : item.type))).toEqual(['developer', 'user', 'user']);
    const newestFirst = await client.responses.inputItems.list(created.id, { limit: 1 });
    expect(newestFirst.data).toHaveLength(1);
    expect(newestFirst.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Again' }] });
    expect(newestFirst.has_more).toBe(true);
    await expect(client.responses.retrieve(created.id, { stream: true })).rejects.toMatchObject({ status: 400, param: 'stream' });
    await client.responses.delete(created.id);
    await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404, error: { type: 'not_found_error' } });
    await expect(client.responses.delete(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.create({ model: 'gpt-4o-mini', previous_response_id: created.id, input: 'Hi' })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
  });

  it('resolves an item_reference to the stored item it names', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Remember this.' });
    await client.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id: first.output[0].id! }, { role: 'user', content: 'Go on' }] });
    expect(lastOpenAIBody().messages).toEqual([
      { role: 'assistant', content: 'Hello from the mock.' },
      { role: 'user', content: 'Go on' },
    ]);
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id: 'msg_' + '0'.repeat(32) + '_0' }] })).rejects.toMatchObject({ status: 404, param: 'input[0].id' });
  });

  it('refuses OpenAI’s hosted tools, background mode, uploaded files and empty input with a 400 naming the field', async () => {
    const requests = openaiUpstream.requests.length;
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'News?', tools: [{ type: 'web_search' }] })).rejects.toMatchObject({
      status: 400,
      param: 'tools[0].type',
      message: expect.stringContaining("'web_search'"),
    });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'Find', tools: [WEATHER, { type: 'file_search', vector_store_ids: ['vs_1'] }] })).rejects.toMatchObject({
      status: 400,
      param: 'tools[1].type',
      message: expect.stringContaining("'file_search'"),
    });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', background: true })).rejects.toMatchObject({ status: 400, param: 'background' });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: [] })).rejects.toMatchObject({ status: 400, param: 'input' });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto', file_id: 'file_1' }] }] })).rejects.toMatchObject({
      status: 400,
      param: 'input[0].content[0].file_id',
    });
    expect(openaiUpstream.requests.length).toBe(requests);
  });

  it('serves a route as the model, as chat completions does', async () => {
    const data = await client.responses.create({ model: 'claude-first', input: 'Hi' }).withResponse();
    expect(data.data.output_text).toBe('Hello from the mock.');
    expect(data.response.headers.get('x-frugal-model')).toBe('claude-haiku-4-5');
  });
});
