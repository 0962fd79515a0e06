import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTooDeep } from '../wire/json-depth.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

const errorOf = async (reply: Response) => ((await reply.json()) as { error: Record<string, unknown> }).error;

/** An array nested `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

describe('findTooDeep', () => {
  it('counts the body as level 1 and names the top-level field that goes too deep', () => {
    expect(findTooDeep({ a: nested(63) }, 64)).toBeUndefined();
    expect(findTooDeep({ a: 1, b: { c: nested(63) } }, 64)).toEqual({ field: 'b' });
    expect(findTooDeep(nested(65), 64)).toEqual({ field: '' });
    expect(findTooDeep('text', 1)).toBeUndefined();
  });

  it('walks a million levels without overflowing the stack', () => {
    expect(findTooDeep({ deep: nested(1_000_000) }, 64)).toEqual({ field: 'deep' });
  });
});

let frugal: TestGateway;
let client: OpenAI;
beforeAll(async () => {
  frugal = await startTestGateway({
    server: { max_json_depth: 16, max_messages: 3 },
    providers: { sim: { kind: 'simulated', output_tokens: 2 } },
    models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }],
  });
  client = new OpenAI({ apiKey: 'unused', baseURL: frugal.baseUrl, maxRetries: 0 });
});
afterAll(async () => frugal?.close());

const hello = [{ role: 'user' as const, content: 'hi' }];
const postRaw = (body: string) => fetch(`${frugal.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('JSON limits at the edge', () => {
  it('refuses a body nested past server.max_json_depth at the top level with a 400 naming the limit, not a 500', async () => {
    const depth = 1_000_000;
    const reply = await postRaw(`{"model":"cheap","messages":[{"role":"user","content":"hi"}],"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(reply.status).toBe(400);
    expect(await errorOf(reply)).toMatchObject({ code: 'limit_exceeded', param: 'extra', message: expect.stringContaining('server.max_json_depth') });
    const bare = await postRaw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(await errorOf(bare)).toMatchObject({ code: 'limit_exceeded', param: null });
  });

  it('refuses deep values inside a content part, tool arguments, response_format and metadata', async () => {
    const deep = nested(20);
    const bodies: Array<[string, Record<string, unknown>]> = [
      ['messages', { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', extra: deep }] }] }],
      ['tools', { messages: hello, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: deep } } } }] }],
      ['response_format', { messages: hello, response_format: { type: 'json_schema', json_schema: { name: 's', schema: deep } } }],
      ['metadata', { messages: hello, metadata: { a: deep } }],
    ];
    for (const [param, body] of bodies) {
      const call = client.chat.completions.create({ model: 'cheap', ...body } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
      await expect(call, param).rejects.toMatchObject({ status: 400, code: 'limit_exceeded', param });
    }
    // Nothing reached the pipeline, and the gateway still serves.
    expect(frugal.rows).toHaveLength(0);
    await expect(client.chat.completions.create({ model: 'cheap', messages: hello })).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('refuses more messages than server.max_messages', async () => {
    const messages = Array.from({ length: 4 }, () => ({ role: 'user' as const, content: 'hi' }));
    await expect(client.chat.completions.create({ model: 'cheap', messages })).rejects.toMatchObject({ status: 400, code: 'limit_exceeded', param: 'messages', message: expect.stringContaining('server.max_messages') });
    await expect(client.chat.completions.create({ model: 'cheap', messages: messages.slice(1) })).resolves.toMatchObject({ object: 'chat.completion' });
  });
});

describe('prototype poisoning, on the fast path and off it', () => {
  const post = (text: string) => fetch(`${frugal.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });

  it('refuses a __proto__ or constructor key, spelled out or \\u-escaped, with the 400 of any bad JSON body', async () => {
    for (const key of ['__proto__', '\\u005f_proto__', '__pr\\u006fto__', 'constructor', 'c\\u006fnstructor']) {
      // secure-json-parse's rule: any __proto__ key; a constructor key only with a prototype inside.
      const reply = await post(`{"model":"cheap","messages":[{"role":"user","content":"hi"}],"${key}":{"prototype":{"x":1}}}`);
      expect(reply.status, key).toBe(400);
      expect((await errorOf(reply)).code, key).toBe('invalid_json');
    }
  });

  it('parses bodies that only mention those words or carry other escapes, and refuses broken JSON as before', async () => {
    const ok = await post(JSON.stringify({ model: 'cheap', messages: [{ role: 'user', content: 'what is __proto__ and a constructor? caf\u00e9 \\u00e9' }] }));
    expect(ok.status).toBe(200);
    const escaped = await post('{"model":"cheap","messages":[{"role":"user","content":"caf\\u00e9"}]}');
    expect(escaped.status).toBe(200);
    for (const broken of ['{"model":', '', '{"model":"cheap",}']) {
      const reply = await post(broken);
      expect(reply.status, broken).toBe(400);
    }
  });
});
