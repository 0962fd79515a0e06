import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

const KEY = 'sk-ant-test-key-abcdef123456';
let openaiUpstream: MockOpenAIServer;
let anthropicUpstream: MockAnthropicServer;
let frugal: TestGateway;
let client: Anthropic;
let origin: string;

beforeAll(async () => {
  openaiUpstream = await startMockOpenAIServer();
  anthropicUpstream = await startMockAnthropicServer({ apiKey: KEY });
  frugal = await startTestGateway(
    {
      providers: {
        mock: { kind: 'openai', base_url: openaiUpstream.baseUrl },
        anthropic: { kind: 'anthropic', base_url: anthropicUpstream.url, api_key: '${ANTHROPIC_API_KEY}' },
      },
      models: [
        { name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } },
        { name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001' },
      ],
      routes: { 'claude-first': { strategy: 'fallback', chain: ['claude-haiku-4-5', 'gpt-4o-mini'] } },
      cache: { enabled: false },
    },
    { ANTHROPIC_API_KEY: KEY },
  );
  origin = frugal.baseUrl.replace(/\/v1$/, '');
  client = new Anthropic({ apiKey: 'unused-without-keys', baseURL: origin, maxRetries: 0 });
  anthropicUpstream.setScenario('thinking', { thinking: 'Let me think.', text: 'Four.' });
  anthropicUpstream.setScenario('slow', { text: Array.from({ length: 300 }, (_, i) => `word${i}`).join(' '), eventGapMs: 5 });
  anthropicUpstream.setScenario('breaks', { text: 'Partial answer here', streamError: { type: 'overloaded_error', message: 'Overloaded' } });
});

afterAll(async () => {
  await frugal?.close();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
});

const WEATHER_TOOL = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { location: { type: 'string' }, unit: { type: 'string' } }, required: ['location'] } };

async function rawEvents(body: Record<string, unknown>): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const response = await fetch(`${origin}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ ...body, stream: true }) });
  expect(response.status).toBe(200);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine.replace(/^event: /, ''), data: JSON.parse(dataLine.replace(/^data: /, '')) as Record<string, unknown> };
    });
}

/** The event sequence, deltas by kind: what Anthropic sends for one text block (recorded from the real API's format). */
function shape(events: Array<{ event: string; data: Record<string, unknown> }>): string[] {
  const result: string[] = [];
  for (const { event, data } of events) {
    expect(data.type).toBe(event);
    const label = event === 'content_block_delta' ? `delta:${(data.delta as { type: string }).type}` : event === 'content_block_start' ? `start:${(data.content_block as { type: string }).type}` : event;
    if (result[result.length - 1] !== label || !label.startsWith('delta:')) result.push(label);
  }
  return result;
}

describe.each([
  { upstream: 'an OpenAI-compatible upstream', model: 'gpt-4o-mini', provider: 'mock' },
  { upstream: 'an Anthropic upstream', model: 'claude-haiku-4-5', provider: 'anthropic' },
])('Anthropic SDK → /v1/messages → $upstream', ({ model, provider }) => {
  it('answers messages.create with a text block, end_turn and usage', async () => {
    const before = frugal.rows.length;
    const { data, response } = await client.messages
      .create({ model, max_tokens: 100, system: 'Be brief.', metadata: { user_id: 'user-7' }, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.role).toBe('assistant');
    expect(data.content).toEqual([{ type: 'text', text: 'Hello from the mock.' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-frugal-provider')).toBe(provider);
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-frugal-request-id'));
    // Through the same pipeline as chat: one ledger row, priced, with the caller's user id.
    const row = (await frugal.waitForRows(before + 1))[before];
    expect(row).toMatchObject({ status: 'ok', provider, user: 'user-7', promptTokens: data.usage.input_tokens, completionTokens: data.usage.output_tokens });
    expect(row.costNanos).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-frugal-cost-usd'))).toBeCloseTo(row.costNanos / 1e9, 12);
  });

  it('streams text event by event in Anthropic order, with input usage in message_start', async () => {
    const events = await rawEvents({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    expect(shape(events)).toEqual(['message_start', 'start:text', 'ping', 'delta:text_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const start = events[0].data.message as { usage: { input_tokens: number }; content: unknown[]; role: string };
    expect(start.role).toBe('assistant');
    expect(start.content).toEqual([]);
    expect(start.usage.input_tokens).toBeGreaterThan(0);
    const text = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data.delta as { text: string }).text).join('');
    expect(text).toBe('Hello from the mock.');
    const delta = events.find((e) => e.event === 'message_delta')!.data;
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect((delta.usage as { output_tokens: number }).output_tokens).toBeGreaterThan(0);
  });

  it('streams a tool call with its input as input_json_delta, complete by content_block_stop', async () => {
    const stream = client.messages.stream({ model, max_tokens: 100, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const partials: string[] = [];
    stream.on('inputJson', (partial) => partials.push(partial));
    const message = await stream.finalMessage();
    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } });
    expect(partials.join('')).toBe('{"location":"Paris","unit":"celsius"}');
    expect(message.stop_reason).toBe('tool_use');
  });

  it('takes a tool_result back and answers from it', async () => {
    const first = await client.messages.create({ model, max_tokens: 100, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const call = first.content.find((block) => block.type === 'tool_use')!;
    const second = await client.messages.create({
      model,
      max_tokens: 100,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'The tool said: Sunny' }]);
  });

  it('counts tokens for the serving model and says whose tokenizer counted', async () => {
    const body = { model, messages: [{ role: 'user' as const, content: 'How many tokens is this?' }], system: 'Be brief.' };
    const { data, response } = await client.messages.countTokens(body).withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    if (provider === 'anthropic') {
      expect(response.headers.get('x-frugal-token-counter')).toBe('upstream');
      // The upstream's own count: the same number its message reports as input for this prompt.
      const created = await client.messages.create({ ...body, max_tokens: 50 });
      expect(data.input_tokens).toBe(created.usage.input_tokens);
    } else {
      expect(response.headers.get('x-frugal-token-counter')).toBe('o200k');
    }
  });

  it('ends a stream whose upstream fails midway with an error event, never message_stop', async () => {
    const content = provider === 'anthropic' ? 'Hi [[mock:breaks]]' : 'Hi [[mock:stream_error=upstream broke]]';
    const events = await rawEvents({ model, max_tokens: 100, messages: [{ role: 'user', content }] });
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names[names.length - 1]).toBe('error');
    expect(names).not.toContain('message_stop');
    expect(events[events.length - 1].data).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
    await expect(client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content }] }).finalMessage()).rejects.toThrow();
  });
});

describe('Anthropic upstream: the client request passes through natively', () => {
  it('streams thinking with its signature and sends it back, cache_control and betas intact', async () => {
    const events = await rawEvents({ model: 'claude-haiku-4-5', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'What is 2+2? [[mock:thinking]]' }] });
    expect(shape(events)).toEqual([
      'message_start', 'start:thinking', 'ping', 'delta:thinking_delta', 'delta:signature_delta', 'content_block_stop',
      'start:text', 'delta:text_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'What is 2+2? [[mock:thinking]]' }] });
    const message = await stream.finalMessage();
    const thinking = message.content[0];
    expect(thinking).toMatchObject({ type: 'thinking', thinking: 'Let me think.' });
    expect((thinking as { signature: string }).signature).toMatch(/^EqQBCgIYAhIMmock/);

    await client.messages.create(
      {
        model: 'claude-haiku-4-5',
        max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        system: [{ type: 'text', text: 'Long static instructions.', cache_control: { type: 'ephemeral' } }],
        messages: [
          { role: 'user', content: 'What is 2+2?' },
          { role: 'assistant', content: message.content },
          { role: 'user', content: 'And 3+3?' },
        ],
      },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    const sent = anthropicUpstream.requests[anthropicUpstream.requests.length - 1];
    expect(sent.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(sent.body?.system).toEqual([{ type: 'text', text: 'Long static instructions.', cache_control: { type: 'ephemeral' } }]);
    expect((sent.body?.messages as Array<{ content: unknown }>)[1].content).toEqual(JSON.parse(JSON.stringify(message.content)));
    expect(sent.body?.model).toBe('claude-haiku-4-5-20251001');
  });

  it('answers a non-streamed thinking request with the thinking block and its signature', async () => {
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'What is 2+2? [[mock:thinking]]' }] });
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: expect.stringMatching(/^EqQBCgIYAhIMmock/) },
      { type: 'text', text: 'Four.' },
    ]);
  });

  it('serves a route name the same way chat does', async () => {
    const { data, response } = await client.messages.create({ model: 'claude-first', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'Hello from the mock.' }]);
    expect(response.headers.get('x-frugal-model')).toBe('claude-haiku-4-5');
  });
});

describe('a client that disconnects mid-stream', () => {
  it.each([
    { model: 'gpt-4o-mini', content: 'long answer [[mock:words=400,chunk_gap_ms=5]]' },
    { model: 'claude-haiku-4-5', content: 'long answer [[mock:slow]]' },
  ])('leaves a client_aborted row priced on what was generated ($model)', async ({ model, content }) => {
    const before = frugal.rows.length;
    const stream = client.messages.stream({ model, max_tokens: 1000, messages: [{ role: 'user', content }] });
    let deltas = 0;
    for await (const event of stream) {
      if (event.type === 'content_block_delta') deltas += 1;
      if (deltas === 20) {
        stream.abort();
        break;
      }
    }
    const rows = await frugal.waitForRows(before + 1);
    const row = rows[before];
    expect(row.status).toBe('client_aborted');
    expect(row.stream).toBe(true);
    expect(row.completionTokens).toBeGreaterThanOrEqual(20);
    expect(row.completionTokens).toBeLessThan(300);
    expect(row.costNanos).toBeGreaterThan(0);
  });
});
