import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

/**
 * What OpenAI's Responses API does that a client written against it relies on, beyond the happy path:
 * refusals that name the Responses field (never a chat field, never a silent drop), the listed form of input
 * items, the echo of the request, and logprobs.
 */

const LOGPROBS = [
  { token: 'Hi', logprob: -0.1, bytes: [72, 105], top_logprobs: [{ token: 'Hi', logprob: -0.1, bytes: [72, 105] }, { token: 'Hey', logprob: -2.5, bytes: [72, 101, 121] }] },
  { token: '!', logprob: -0.01, bytes: [33], top_logprobs: [{ token: '!', logprob: -0.01, bytes: [33] }] },
];

/** An upstream that answers "Hi!" with token logprobs, as OpenAI's chat completions does when asked. */
async function startLogprobsUpstream(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(text) as { stream?: boolean; logprobs?: boolean };
      const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
      const base = { id: 'chatcmpl-lp', created: 1, model: 'gpt-4o-mini' };
      if (!body.stream) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, logprobs: body.logprobs ? { content: LOGPROBS } : null, finish_reason: 'stop' }], usage }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);
      chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, logprobs: body.logprobs ? { content: [LOGPROBS[0]] } : null, finish_reason: null }]);
      chunk([{ index: 0, delta: { content: '!' }, logprobs: body.logprobs ? { content: [LOGPROBS[1]] } : null, finish_reason: 'stop' }]);
      chunk([], { usage });
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

let upstream: MockOpenAIServer;
let logprobsUpstream: { server: Server; baseUrl: string };
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  logprobsUpstream = await startLogprobsUpstream();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl }, scored: { kind: 'openai', base_url: logprobsUpstream.baseUrl } },
    models: [
      { name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } },
      { name: 'scored', provider: 'scored', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } },
    ],
    cache: { enabled: false },
  });
  client = new OpenAI({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
  await new Promise((resolve) => logprobsUpstream?.server.close(resolve));
});

const lastUpstreamBody = () => upstream.requests[upstream.requests.length - 1].body as Record<string, unknown>;
const WEATHER = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } }, strict: false };
type CreateBody = Parameters<OpenAI['responses']['create']>[0];

/** Each body is refused with a 400 naming `param`, before any upstream call. */
async function expectRefused(cases: Array<[CreateBody | Record<string, unknown>, string, RegExp?]>) {
  const calls = upstream.requests.length;
  for (const [body, param, message] of cases) {
    await expect(client.responses.create(body as CreateBody), JSON.stringify(body)).rejects.toMatchObject({
      status: 400,
      param,
      error: { type: 'invalid_request_error' },
      ...(message ? { message: expect.stringMatching(message) } : {}),
    });
  }
  expect(upstream.requests.length).toBe(calls);
}

describe('Responses requests Frugal cannot honour are refused, never answered as another question', () => {
  it('refuses conversation, prompt templates and unknown include values, naming the field', async () => {
    await expectRefused([
      [{ model: 'gpt-4o-mini', input: 'What did I say?', conversation: 'conv_123' }, 'conversation', /previous_response_id/],
      [{ model: 'gpt-4o-mini', input: 'Hi', conversation: { id: 'conv_123' } }, 'conversation'],
      [{ model: 'gpt-4o-mini', prompt: { id: 'pmpt_123', variables: { city: 'Paris' } } }, 'prompt'],
      [{ model: 'gpt-4o-mini', input: 'Hi', include: ['reasoning.encrypted_content', 'message.everything'] }, 'include[1]'],
    ]);
    // What the AI SDK sends with store: false concerns items Frugal never produces: accepted.
    const data = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', store: false, include: ['reasoning.encrypted_content'] });
    expect(data.status).toBe('completed');
  });

  it('refuses tool definitions and tool choices the upstream would refuse in chat’s terms', async () => {
    await expectRefused([
      [{ model: 'gpt-4o-mini', input: 'Hi', tools: [{ ...WEATHER, name: 'get weather!' }] }, 'tools[0].name'],
      [{ model: 'gpt-4o-mini', input: 'Hi', tools: [WEATHER, { ...WEATHER, description: 'again' }] }, 'tools[1].name', /twice/],
      [{ model: 'gpt-4o-mini', input: 'Hi', tools: [WEATHER], tool_choice: { type: 'function', name: 'get_time' } }, 'tool_choice.name', /get_time/],
      [{ model: 'gpt-4o-mini', input: 'Hi', tool_choice: 'required' }, 'tool_choice'],
    ]);
    // null is "not given", as the Python client and LangChain may send it.
    const data = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', tools: null, tool_choice: null } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(data.tools).toEqual([]);
  });

  it('refuses content the chat request cannot carry, naming the part — never dropping it unseen', async () => {
    await expectRefused([
      // Chat completions carries text only in developer and system turns: the image would vanish.
      [{ model: 'gpt-4o-mini', input: [{ role: 'developer', content: [{ type: 'input_text', text: 'Match this style:' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }] }, { role: 'user', content: 'Hi' }] }, 'input[0].content[1].type'],
      [{ model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_123' }] }] }, 'input[0].content[0].file_id'],
      [{ model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x/y.pdf' }] }] }, 'input[0].content[0].file_url'],
      [{ model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] }, 'input[0].content[0].type', /input_audio/],
      // A chat tool message is text: an image in a tool's output would vanish.
      [
        {
          model: 'gpt-4o-mini',
          tools: [WEATHER],
          input: [
            { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
            { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_image', image_url: 'https://x/radar.png', detail: 'auto' }] },
          ],
        },
        'input[1].output[0].type',
      ],
    ]);
  });

  it('passes an inline file on as a chat file part', async () => {
    const fileData = 'data:application/pdf;base64,JVBERi0xLjQK';
    await client.responses.create({ model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Summarise' }, { type: 'input_file', filename: 'a.pdf', file_data: fileData }] }] });
    expect((lastUpstreamBody().messages as unknown[])[0]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Summarise' }, { type: 'file', file: { file_data: fileData, filename: 'a.pdf' } }] });
  });

  it('names the input item at fault by its place in this request’s input, not in the stored chain before it', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Look at this.' });
    await expectRefused([[{ model: 'gpt-4o-mini', previous_response_id: first.id, input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] }, 'input[0].content[0].file_id']]);
  });

  it('refuses a function call without its output, and an output without its call, as OpenAI does', async () => {
    await expectRefused([
      [{ model: 'gpt-4o-mini', tools: [WEATHER], input: [{ role: 'user', content: 'Weather?' }, { type: 'function_call_output', call_id: 'call_nope', output: '18°C' }] }, 'input', /call_nope/],
      [{ model: 'gpt-4o-mini', tools: [WEATHER], input: [{ role: 'user', content: 'Weather?' }, { type: 'function_call', call_id: 'call_open', name: 'get_weather', arguments: '{}' }, { role: 'user', content: 'Well?' }] }, 'input', /call_open/],
    ]);
    // A stored response that ended in a call must be answered with its output before anything else.
    const asked = await client.responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', tools: [WEATHER] });
    const call = asked.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function call');
    await expectRefused([[{ model: 'gpt-4o-mini', previous_response_id: asked.id, tools: [WEATHER], input: 'Never mind.' }, 'input', new RegExp(call.call_id)]]);
    const answered = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: asked.id, tools: [WEATHER], input: [{ type: 'function_call_output', call_id: call.call_id, output: '18°C' }] });
    expect(answered.output_text).toBe('The tool said: 18°C');
  });

  it('answers an unknown previous_response_id with OpenAI’s 400 previous_response_not_found, streamed or not', async () => {
    const expected = { status: 400, code: 'previous_response_not_found', param: 'previous_response_id', error: { type: 'invalid_request_error' } };
    await expect(client.responses.create({ model: 'gpt-4o-mini', previous_response_id: `resp_${'0'.repeat(32)}`, input: 'Hi' })).rejects.toMatchObject(expected);
    await expect(client.responses.create({ model: 'gpt-4o-mini', previous_response_id: 'resp_unknown', input: 'Hi', stream: true })).rejects.toMatchObject(expected);
    const forgotten = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', store: false });
    await expect(client.responses.create({ model: 'gpt-4o-mini', previous_response_id: forgotten.id, input: 'Again' })).rejects.toMatchObject(expected);
  });
});

describe('stored input items, listed as OpenAI lists them', () => {
  it('gives every message its content as parts and every item its status, whatever form the input took', async () => {
    const created = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [WEATHER],
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Checking.' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Sunny' },
      ],
    });
    const items = [];
    for await (const item of client.responses.inputItems.list(created.id, { order: 'asc' })) items.push(item);
    expect(items).toEqual([
      { id: expect.any(String), type: 'message', status: 'completed', role: 'system', content: [{ type: 'input_text', text: 'Be brief.' }] },
      { id: expect.any(String), type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
      { id: expect.any(String), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
      { id: expect.any(String), type: 'function_call', status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
      { id: expect.any(String), type: 'function_call_output', status: 'completed', call_id: 'call_1', output: 'Sunny' },
    ]);
  });
});

describe('the response echoes the request and carries what was asked for', () => {
  it('echoes safety_identifier, prompt_cache_key, text.verbosity and top_logprobs, stored alike', async () => {
    const created = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', safety_identifier: 'user-42', prompt_cache_key: 'greetings', text: { verbosity: 'low' }, top_logprobs: 2 });
    for (const response of [created, await client.responses.retrieve(created.id)]) {
      expect(response).toMatchObject({ safety_identifier: 'user-42', prompt_cache_key: 'greetings', text: { format: { type: 'text' }, verbosity: 'low' }, top_logprobs: 2 });
    }
  });

  it('asks the upstream for logprobs when include names them, and returns them on output_text, streamed or not', async () => {
    const request = { model: 'scored', input: 'Hi', include: ['message.output_text.logprobs' as const], top_logprobs: 2 };
    const data = await client.responses.create(request);
    const expected = LOGPROBS.map(({ token, logprob, bytes, top_logprobs }) => ({ token, logprob, bytes, top_logprobs }));
    expect(data.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Hi!', logprobs: expected }] });

    const stream = client.responses.stream(request);
    const deltaLogprobs: unknown[] = [];
    stream.on('response.output_text.delta', (event) => deltaLogprobs.push(...event.logprobs));
    const final = await stream.finalResponse();
    expect(deltaLogprobs).toEqual(expected);
    expect(final.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Hi!', logprobs: expected }] });
  });
});
