import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

/**
 * `truncation`: a conversation longer than the model's context window (the catalog's `context`) is refused with
 * OpenAI's 400 by default, and with `"auto"` loses its oldest items instead.
 */

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [
      { name: 'small', provider: 'mock', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 }, context: 400 },
      { name: 'roomy', provider: 'mock', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } },
    ],
    cache: { enabled: false },
  });
  client = new OpenAI({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

/** About 120 tokens of text, tagged so the test can see which turns reached the upstream. */
const turn = (tag: string) => `${tag}: ${'lorem ipsum dolor '.repeat(40)}`;

/** A stored chain of three long turns on `roomy` (no known context), each answered briefly. */
async function longChain(): Promise<string> {
  let previous: string | undefined;
  for (const tag of ['first', 'second', 'third']) previous = (await client.responses.create({ model: 'roomy', input: turn(tag), previous_response_id: previous })).id;
  return previous!;
}

const sentMessages = () => (upstream.requests[upstream.requests.length - 1].body as { messages: Array<{ role: string; content: string }> }).messages;

describe('truncation', () => {
  it('refuses a conversation past the context window by default, with OpenAI’s 400, before any upstream call', async () => {
    const previous = await longChain();
    const calls = upstream.requests.length;
    for (const truncation of [undefined, 'disabled'] as const) {
      await expect(client.responses.create({ model: 'small', previous_response_id: previous, input: turn('fourth'), truncation })).rejects.toMatchObject({
        status: 400,
        param: 'input',
        code: 'context_length_exceeded',
        error: { type: 'invalid_request_error' },
      });
    }
    expect(upstream.requests.length).toBe(calls);
  });

  it('with "auto" drops the oldest items until the conversation fits, and says so on the response', async () => {
    const previous = await longChain();
    const response = await client.responses.create({ model: 'small', previous_response_id: previous, input: turn('fourth'), truncation: 'auto', instructions: 'Be brief.' });
    expect(response).toMatchObject({ status: 'completed', truncation: 'auto' });
    const messages = sentMessages();
    expect(messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(messages[messages.length - 1].content).toBe(turn('fourth'));
    const users = messages.filter((message) => message.role === 'user').map((message) => message.content.split(':')[0]);
    expect(users).not.toContain('first');
    expect(users.length).toBeLessThan(4);
    expect((await client.responses.retrieve(response.id)).truncation).toBe('auto');
  });

  it('with "auto" still refuses when the newest item alone does not fit', async () => {
    const huge = 'lorem ipsum dolor '.repeat(400);
    await expect(client.responses.create({ model: 'small', input: huge, truncation: 'auto' })).rejects.toMatchObject({ status: 400, code: 'context_length_exceeded', param: 'input' });
  });

  it('never cuts a function call’s output off from its call', async () => {
    const tool = { type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: {} }, strict: false };
    const response = await client.responses.create({
      model: 'small',
      truncation: 'auto',
      tools: [tool],
      tool_choice: 'none',
      // The cut falls between the long call and its short output: the output must go with its call.
      input: [
        { role: 'user', content: turn('first') },
        { type: 'function_call', call_id: 'call_a', name: 'lookup', arguments: JSON.stringify({ q: turn('query') }) },
        { type: 'function_call_output', call_id: 'call_a', output: 'ok' },
        { role: 'user', content: turn('second') + turn('second') },
        { role: 'user', content: 'and now? [[mock:content=done]]' },
      ],
    });
    expect(response.output_text).toBe('done');
    expect(sentMessages().map((message) => message.role)).toEqual(['user', 'user']);
  });
});
