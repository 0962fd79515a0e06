import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

const ANTHROPIC_KEY = 'sk-ant-test-key-stream-0123456';
let openaiUpstream: MockOpenAIServer;
let anthropicUpstream: MockAnthropicServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  openaiUpstream = await startMockOpenAIServer();
  anthropicUpstream = await startMockAnthropicServer({ apiKey: ANTHROPIC_KEY });
  anthropicUpstream.setScenario('thinking', { thinking: 'Let me think.', text: 'Four.' });
  anthropicUpstream.setScenario('breaks', { text: 'Partial answer here', streamError: { type: 'overloaded_error', message: 'Overloaded' } });
  frugal = await startTestGateway(
    {
      providers: {
        mock: { kind: 'openai', base_url: openaiUpstream.baseUrl },
        anthropic: { kind: 'anthropic', base_url: anthropicUpstream.url, api_key: '${ANTHROPIC_API_KEY}' },
      },
      models: [
        { name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } },
        { name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001', price: { input: 1, output: 5 } },
      ],
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

type Event = { type: string; sequence_number: number; [field: string]: unknown };

/** The raw SSE: each block's `event:` line must name the type its data carries. */
async function streamedEvents(body: Record<string, unknown>): Promise<{ events: Event[]; requestId: string }> {
  const response = await fetch(`${frugal.baseUrl}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const blocks = (await response.text()).split('\n\n').filter((block) => block !== '');
  const events = blocks.map((block) => {
    const [eventLine, dataLine, ...rest] = block.split('\n');
    expect(rest).toEqual([]);
    const data = JSON.parse(dataLine.replace(/^data: /, '')) as Event;
    expect(eventLine).toBe(`event: ${data.type}`);
    return data;
  });
  return { events, requestId: response.headers.get('x-frugal-request-id')! };
}

function expectSequenced(events: Event[]) {
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
}

describe('streamed responses', () => {
  it('streams text as Responses events in order, sequence numbers from 0, usage on response.completed', async () => {
    const { events, requestId } = await streamedEvents({ model: 'gpt-4o-mini', input: 'Say hello' });
    expectSequenced(events);
    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...deltas.map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(deltas.map((event) => event.delta).join('')).toBe('Hello from the mock.');
    expect(deltas.length).toBeGreaterThan(1);
    const [created] = events;
    expect(created.response).toMatchObject({ object: 'response', status: 'in_progress', output: [], usage: null });
    const itemId = (events[2].item as { id: string }).id;
    expect(deltas.every((event) => event.item_id === itemId && event.output_index === 0 && event.content_index === 0)).toBe(true);
    expect(events.find((event) => event.type === 'response.output_text.done')).toMatchObject({ text: 'Hello from the mock.', item_id: itemId });
    const completed = events[events.length - 1].response as { id: string; status: string; usage: Record<string, unknown>; output: unknown[] };
    expect(completed.status).toBe('completed');
    expect(completed.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), cost: expect.any(Number) });
    expect(completed.output).toEqual([{ type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello from the mock.', annotations: [], logprobs: [] }] }]);
    // Stored before the last event went out.
    expect((await client.responses.retrieve(completed.id)).output_text).toBe('Hello from the mock.');
    const row = (await frugal.waitForRows(1)).find((candidate) => candidate.id === requestId);
    expect(row).toMatchObject({ status: 'ok', stream: true, tokensEstimated: false });
    expect(row!.costNanos).toBe(Math.round(completed.usage.cost as number * 1e9));
  });

  it('streams a function call with argument deltas', async () => {
    const { events } = await streamedEvents({
      model: 'gpt-4o-mini',
      input: 'Weather in Paris?',
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
    });
    expectSequenced(events);
    const types = events.map((event) => event.type);
    const argumentDeltas = events.filter((event) => event.type === 'response.function_call_arguments.delta');
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      ...argumentDeltas.map(() => 'response.function_call_arguments.delta'),
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(argumentDeltas.map((event) => event.delta).join('')).toBe('{"location":"Paris","unit":"celsius"}');
    expect(events[2].item).toMatchObject({ type: 'function_call', status: 'in_progress', name: 'get_weather', arguments: '' });
    expect(events[events.length - 2].item).toMatchObject({ type: 'function_call', status: 'completed', arguments: '{"location":"Paris","unit":"celsius"}' });
  });

  it('accumulates in the openai client’s responses.stream helper, text and tools alike', async () => {
    const stream = client.responses.stream({ model: 'claude-haiku-4-5', input: 'Say hello' });
    let text = '';
    stream.on('response.output_text.delta', (event) => {
      text += event.delta;
    });
    const final = await stream.finalResponse();
    expect(text).toBe('Hello from the mock.');
    expect(final.output_text).toBe('Hello from the mock.');
    expect(final.status).toBe('completed');
    expect(final.usage?.output_tokens).toBeGreaterThan(0);

    const toolStream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Weather?', tools: [{ type: 'function', name: 'get_weather', parameters: null, strict: false }] });
    const toolFinal = await toolStream.finalResponse();
    expect(toolFinal.output).toEqual([expect.objectContaining({ type: 'function_call', name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' })]);
  });

  it('streams an Anthropic model’s thinking as a reasoning item, and leaves it out of the next turn', async () => {
    const stream = client.responses.stream({ model: 'claude-haiku-4-5', input: 'Two and two? [[mock:thinking]]' });
    let thought = '';
    stream.on('response.reasoning_text.delta', (event) => {
      thought += event.delta;
    });
    const final = await stream.finalResponse();
    expect(thought).toBe('Let me think.');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.output_text).toBe('Four.');
    const next = await client.responses.create({ model: 'claude-haiku-4-5', previous_response_id: final.id, input: 'Sure?' });
    expect(next.status).toBe('completed');
    const sent = anthropicUpstream.requests[anthropicUpstream.requests.length - 1].body as { messages: unknown[] };
    expect(sent.messages).toEqual([
      { role: 'user', content: 'Two and two? [[mock:thinking]]' },
      { role: 'assistant', content: 'Four.' },
      { role: 'user', content: 'Sure?' },
    ]);
  });

  it('ends an upstream failure mid-stream with response.failed, never response.completed', async () => {
    for (const [model, input] of [
      ['gpt-4o-mini', 'Hi [[mock:stream_error=upstream broke]]'],
      ['claude-haiku-4-5', 'Hi [[mock:breaks]]'],
    ]) {
      const { events, requestId } = await streamedEvents({ model, input });
      expectSequenced(events);
      const types = events.map((event) => event.type);
      expect(types).toContain('response.output_text.delta');
      expect(types).not.toContain('response.completed');
      expect(types[types.length - 1]).toBe('response.failed');
      const failed = events[events.length - 1].response as { status: string; error: { code: string; message: string } };
      expect(failed.status).toBe('failed');
      expect(failed.error.code).toBe('server_error');
      await expect.poll(() => frugal.rows.find((candidate) => candidate.id === requestId)?.status).toBe('error');
    }
    // The openai client hands the failed response over as the final one; what was generated before the break is in it.
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Hi [[mock:stream_error=upstream broke]]' });
    const final = await stream.finalResponse();
    expect(final.status).toBe('failed');
    expect(final.error).toMatchObject({ code: 'server_error', message: expect.stringContaining('upstream broke') });
    expect(final.output).toEqual([expect.objectContaining({ type: 'message', status: 'incomplete', content: [expect.objectContaining({ text: 'Hello' })] })]);
  });

  it('leaves a client_aborted, priced row when the client disconnects mid-stream', async () => {
    const rowsBefore = frugal.rows.length;
    const stream = await client.responses.create({ model: 'gpt-4o-mini', stream: true, input: 'long answer [[mock:words=400,chunk_gap_ms=5]]' });
    let deltas = 0;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') deltas += 1;
      if (deltas === 20) {
        stream.controller.abort();
        break;
      }
    }
    const rows = await frugal.waitForRows(rowsBefore + 1);
    const row = rows[rows.length - 1];
    expect(row.status).toBe('client_aborted');
    expect(row.stream).toBe(true);
    expect(row.completionTokens).toBeGreaterThanOrEqual(20);
    expect(row.completionTokens).toBeLessThan(400);
    expect(row.costNanos).toBeGreaterThan(0);
  });
});
