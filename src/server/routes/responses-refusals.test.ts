import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

/**
 * Refusals as OpenAI's Responses API words them: an upstream's chat-named `param` comes back under the
 * Responses field the caller sent, schema problems carry OpenAI's codes, and what Frugal cannot do is said so.
 */

interface Upstream {
  server: Server;
  baseUrl: string;
  bodies: Array<Record<string, unknown>>;
}

const textOf = (content: unknown) => (typeof content === 'string' ? content : Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : '');

const TWO_CALLS = [0, 1].map((index) => ({ index, id: `call_${index}`, type: 'function', function: { name: 'lookup', arguments: `{"n":${index}}` } }));

/** Two tool calls, as a chat stream. */
function twoCallStream(): string {
  const chunk = (choices: unknown[], extra = {}) => `data: ${JSON.stringify({ id: 'c2', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...extra })}\n\n`;
  return [
    ...TWO_CALLS.map((call) => chunk([{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
    chunk([], { usage: { prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 } }),
    'data: [DONE]\n\n',
  ].join('');
}

/**
 * An OpenAI-compatible upstream that refuses `REFUSE:<param>` with a 400 naming that (chat) param, answers
 * `TWO_CALLS` with two tool calls, and otherwise says "ok".
 */
async function startRefusingUpstream(): Promise<Upstream> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(text) as { messages: Array<{ content: unknown }>; stream?: boolean };
      bodies.push(body);
      const refused = /REFUSE:(\S+)/.exec(textOf(body.messages[body.messages.length - 1].content))?.[1];
      if (refused) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `Invalid '${refused}': not accepted.`, type: 'invalid_request_error', param: refused, code: 'invalid_value' } }));
        return;
      }
      if (textOf(body.messages[body.messages.length - 1].content).includes('TWO_CALLS')) {
        response.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
        const message = { role: 'assistant', content: null, tool_calls: TWO_CALLS.map(({ index: _, ...call }) => call) };
        response.end(body.stream ? twoCallStream() : JSON.stringify({ id: 'c2', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, bodies };
}

let upstream: Upstream;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startRefusingUpstream();
  frugal = await startTestGateway({
    providers: { strict: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'gpt-4o-mini', provider: 'strict', price: { input: 0.15, output: 0.6 } }],
    cache: { enabled: false },
  });
  client = new OpenAI({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await new Promise((resolve) => upstream?.server.close(resolve));
});

type CreateBody = Parameters<OpenAI['responses']['create']>[0];
const refusal = (body: Record<string, unknown>) => client.responses.create(body as unknown as CreateBody).then(
  () => undefined,
  (error: unknown) => error as { status: number; param: string | null; code: string | null; message: string },
);
const FN = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } };

describe('an upstream refusal names the Responses field', () => {
  it.each([
    ['max_tokens', { input: 'REFUSE:max_tokens', max_output_tokens: 64 }, 'max_output_tokens'],
    ['max_completion_tokens', { input: 'REFUSE:max_completion_tokens' }, 'max_output_tokens'],
    ['a message of a string input', { input: 'REFUSE:messages[0].content' }, 'input'],
    ['a message after the instructions', { instructions: 'Be brief.', input: [{ role: 'developer', content: 'x' }, { role: 'user', content: 'REFUSE:messages[2].content[0]' }] }, 'input[1].content[0]'],
    ['the instructions', { instructions: 'Be brief.', input: 'REFUSE:messages[0].content' }, 'instructions'],
    [
      'a function call gathered into an assistant turn',
      { tools: [FN], input: [{ type: 'reasoning', summary: [] }, { role: 'user', content: 'q' }, { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{}' }, { type: 'function_call', call_id: 'c2', name: 'lookup', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'a' }, { type: 'function_call_output', call_id: 'c2', output: 'b' }, { role: 'user', content: 'REFUSE:messages[1].tool_calls[1].function.arguments' }] },
      'input[3].arguments',
    ],
    ['a tool result', { tools: [FN], input: [{ role: 'user', content: 'q' }, { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'a' }, { role: 'user', content: 'REFUSE:messages[2].content' }] }, 'input[2].output'],
    ['the json schema', { input: 'REFUSE:response_format.json_schema.schema', text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' } } } }, 'text.format.schema'],
    ['a function tool’s parameters', { input: 'REFUSE:tools[0].function.parameters', tools: [FN] }, 'tools[0].parameters'],
    ['the named tool choice', { input: 'REFUSE:tool_choice.function.name', tools: [FN], tool_choice: { type: 'function', name: 'lookup' } }, 'tool_choice.name'],
    ['reasoning effort', { input: 'REFUSE:reasoning_effort', reasoning: { effort: 'low' } }, 'reasoning.effort'],
    ['verbosity', { input: 'REFUSE:verbosity', text: { verbosity: 'low' } }, 'text.verbosity'],
  ])('%s', async (_name, body, param) => {
    const error = await refusal({ model: 'gpt-4o-mini', ...body });
    expect(error).toMatchObject({ status: 400, param, code: 'invalid_value' });
    expect(error?.message).toContain(`'${param}'`);
  });

  it('an item of the stored chain is blamed on previous_response_id, and a stream refused before its start says the same', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello' });
    expect(await refusal({ model: 'gpt-4o-mini', previous_response_id: first.id, input: 'REFUSE:messages[0].content' })).toMatchObject({ status: 400, param: 'previous_response_id' });
    expect(await refusal({ model: 'gpt-4o-mini', previous_response_id: first.id, input: [{ role: 'user', content: 'REFUSE:messages[2].content' }] })).toMatchObject({ status: 400, param: 'input[0].content' });
    expect(await refusal({ model: 'gpt-4o-mini', stream: true, input: 'REFUSE:max_tokens', max_output_tokens: 32 })).toMatchObject({ status: 400, param: 'max_output_tokens' });
  });
});

describe('a malformed request is refused with OpenAI’s code and param, before any upstream call', () => {
  it.each([
    [{ input: 'hi' }, 'model', 'missing_required_parameter'],
    [{ model: 'gpt-4o-mini', input: [{ role: 'user' }] }, 'input[0].content', 'missing_required_parameter'],
    [{ model: 'gpt-4o-mini', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text' }] }] }, 'input[0].content[0].text', 'missing_required_parameter'],
    [{ model: 'gpt-4o-mini', input: 'hi', temperature: 'hot' }, 'temperature', 'invalid_type'],
    [{ model: 'gpt-4o-mini', input: 5 }, 'input', 'invalid_type'],
    [{ model: 'gpt-4o-mini', input: 'hi', temperature: 3 }, 'temperature', 'decimal_above_max_value'],
    [{ model: 'gpt-4o-mini', input: 'hi', max_output_tokens: 10 }, 'max_output_tokens', 'integer_below_min_value'],
    [{ model: 'gpt-4o-mini', input: 'hi', truncation: 'sometimes' }, 'truncation', 'invalid_value'],
    [{ model: 'gpt-4o-mini', input: 'hi', reasoning: { effort: 'extreme' } }, 'reasoning.effort', 'invalid_value'],
    [{ model: 'gpt-4o-mini', input: 'hi', service_tier: 'gold' }, 'service_tier', 'invalid_value'],
    [{ model: 'gpt-4o-mini', input: 'hi', text: { verbosity: 'chatty' } }, 'text.verbosity', 'invalid_value'],
    [{ model: 'gpt-4o-mini', input: 'hi', include: ['bogus.value'] }, 'include[0]', 'invalid_value'],
    [{ model: 'gpt-4o-mini', input: 'hi', tool_choice: 'sometimes' }, 'tool_choice', 'invalid_value'],
  ])('%j', async (body, param, code) => {
    const calls = upstream.bodies.length;
    expect(await refusal(body)).toMatchObject({ status: 400, param, code });
    expect(upstream.bodies.length).toBe(calls);
  });
});

describe('what only background responses can do', () => {
  it('refuses to cancel a finished response with a 400, and an unknown one with a 404', async () => {
    const done = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello' });
    await expect(client.responses.cancel(done.id)).rejects.toMatchObject({ status: 400, error: { type: 'invalid_request_error' } });
    await expect(client.responses.cancel('resp_00000000000000000000000000000000')).rejects.toMatchObject({ status: 404 });
    expect((await client.responses.retrieve(done.id)).status).toBe('completed');
  });
});

describe('max_tool_calls', () => {
  it('is echoed, never sent upstream, and refused below 1', async () => {
    const plain = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello' });
    expect(plain).toMatchObject({ max_tool_calls: null, background: false, truncation: 'disabled', service_tier: 'default' });
    const capped = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello', max_tool_calls: 3 } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(capped).toMatchObject({ max_tool_calls: 3 });
    expect(upstream.bodies[upstream.bodies.length - 1]).not.toHaveProperty('max_tool_calls');
    expect(await refusal({ model: 'gpt-4o-mini', input: 'hello', max_tool_calls: 0 })).toMatchObject({ status: 400, param: 'max_tool_calls', code: 'integer_below_min_value' });
    expect(await refusal({ model: 'gpt-4o-mini', input: 'hello', max_tool_calls: 1.5 })).toMatchObject({ status: 400, param: 'max_tool_calls', code: 'invalid_type' });
  });

  it('keeps only the first calls of an answer, streamed or not, as OpenAI ignores the model’s further attempts', async () => {
    const tool: OpenAI.Responses.FunctionTool = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} }, strict: false };
    const body = { model: 'gpt-4o-mini', input: 'TWO_CALLS', tools: [tool], max_tool_calls: 1 as number | null };
    const whole = await client.responses.create(body);
    expect(whole.output.map((item) => item.type === 'function_call' && item.call_id)).toEqual(['call_0']);
    const unlimited = { ...body, max_tool_calls: null };
    const uncapped = await client.responses.create(unlimited);
    expect(uncapped.output).toHaveLength(2);
    const events = [];
    for await (const event of await client.responses.create({ ...body, stream: true })) events.push(event);
    const added = events.filter((event) => event.type === 'response.output_item.added');
    expect(added).toHaveLength(1);
    const completed = events[events.length - 1];
    if (completed.type !== 'response.completed') throw new Error(`ended with ${completed.type}`);
    expect(completed.response.output.map((item) => item.type === 'function_call' && item.arguments)).toEqual(['{"n":0}']);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
  });
});
