import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';
import { sanitizeHeaderTags, unstorableReason } from '../wire/storable-text.js';

let frugal: TestGateway;
let client: OpenAI;
beforeAll(async () => {
  frugal = await startTestGateway({
    providers: { sim: { kind: 'simulated', output_tokens: 2 } },
    models: [
      { name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } },
      { name: 'embed', provider: 'sim', type: 'embedding', price: { input: 1, output: 0 } },
    ],
  });
  client = new OpenAI({ apiKey: 'unused', baseURL: frugal.baseUrl, maxRetries: 0 });
});
afterAll(async () => frugal?.close());

const hello = [{ role: 'user' as const, content: 'hi' }];
const NUL = 'a\u0000b';
const LONE = 'a\ud800b';

describe('text PostgreSQL cannot store is refused at the edge, naming the field', () => {
  it('in model, user and metadata of a chat request', async () => {
    const cases: Array<[string, Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>]> = [
      ['model', { model: `cheap${NUL}` }],
      ['model', { model: `cheap${LONE}` }],
      ['model', { model: 'm'.repeat(257) }],
      ['user', { user: NUL }],
      ['user', { user: '\udc00' }],
      ['user', { user: 'u'.repeat(257) }],
      ['metadata.team', { metadata: { team: NUL } }],
      ['metadata.team', { metadata: { team: 'v'.repeat(513) } }],
      ['metadata', { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }],
    ];
    for (const [param, fields] of cases) {
      const call = client.chat.completions.create({ model: 'cheap', messages: hello, ...fields });
      await expect(call, JSON.stringify(fields).slice(0, 80)).rejects.toMatchObject({ status: 400, code: 'invalid_request', param: expect.stringMatching(new RegExp(`^${param}`)) });
    }
    const badKey = client.chat.completions.create({ model: 'cheap', messages: hello, metadata: { [NUL]: 'v' } });
    await expect(badKey).rejects.toMatchObject({ status: 400, param: expect.stringMatching(/^metadata/) });
  });

  it('in model and user of an embeddings request', async () => {
    await expect(client.embeddings.create({ model: `embed${NUL}`, input: 'x' })).rejects.toMatchObject({ status: 400, param: 'model' });
    await expect(client.embeddings.create({ model: 'embed', input: 'x', user: LONE })).rejects.toMatchObject({ status: 400, param: 'user' });
  });

  it('accepts astral characters (valid surrogate pairs) and long prompts', async () => {
    const reply = await client.chat.completions.create({ model: 'cheap', messages: [{ role: 'user', content: `😀 ${'x'.repeat(100_000)}` }], user: 'ü😀', metadata: { feature: '🚀' } });
    expect(reply.object).toBe('chat.completion');
  });

  it('trims header tags to storable, bounded labels instead of refusing the call', async () => {
    const before = frugal.rows.length;
    const long = 'v'.repeat(2000);
    const pairs = [`feature=${long}`, `${'k'.repeat(100)}=x`, ...Array.from({ length: 20 }, (_, i) => `t${i}=${i}`)].join(',');
    await client.chat.completions.create({ model: 'cheap', messages: hello }, { headers: { 'x-frugal-tags': pairs } });
    const [row] = await frugal.waitForRows(before + 1).then((rows) => rows.slice(before));
    expect(row.tags.feature).toBe('v'.repeat(512));
    expect(row.tags['k'.repeat(64)]).toBe('x');
    expect(Object.keys(row.tags)).toHaveLength(16);
  });
});

describe('storable text', () => {
  it('names NUL and lone surrogates, and passes everything PostgreSQL keeps', () => {
    expect(unstorableReason(NUL)).toMatch(/NUL/);
    expect(unstorableReason(LONE)).toMatch(/surrogate/);
    expect(unstorableReason('\udc00x')).toMatch(/surrogate/);
    expect(unstorableReason('😀 ü \t')).toBeUndefined();
  });

  it('drops control characters from header tags', () => {
    expect(sanitizeHeaderTags({ 'a\u0001b': 'c\u007fd', empty: '\u0002' })).toEqual({ ab: 'cd' });
  });
});
