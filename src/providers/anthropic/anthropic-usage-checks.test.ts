import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// An Anthropic upstream whose usage cannot be priced: the call is estimated and says so, never priced at 0 tokens.
const KEY = 'sk-ant-test-key-abcdef123456';
let upstream: MockAnthropicServer;
let frugal: TestGateway;
let client: Anthropic;

beforeAll(async () => {
  upstream = await startMockAnthropicServer({ apiKey: KEY });
  frugal = await startTestGateway(
    {
      providers: { anthropic: { kind: 'anthropic', base_url: upstream.url, api_key: '${ANTHROPIC_API_KEY}' } },
      models: [{ name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001' }],
      cache: { enabled: false },
    },
    { ANTHROPIC_API_KEY: KEY },
  );
  client = new Anthropic({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl.replace(/\/v1$/, ''), maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

const WARNING = "'claude-haiku-4-5' reported token usage that cannot be priced; tokens estimated";
const ask = (usage: Record<string, unknown>) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 50,
  messages: [{ role: 'user' as const, content: `Say something long enough to count. [[mock:${JSON.stringify({ text: 'One two three four five six.', usage })}]]` }],
});

async function rowAfter(before: number) {
  const rows = await frugal.waitForRows(before + 1);
  return rows[before];
}

describe('usage counts an Anthropic upstream sends that cannot be priced', () => {
  it('estimates and warns when output_tokens is not a number, and the SDK reads a number', async () => {
    const before = frugal.rows.length;
    const { data, response } = await client.messages.create(ask({ output_tokens: 'many' })).withResponse();
    const row = await rowAfter(before);
    expect(row.tokensEstimated).toBe(true);
    expect(row.completionTokens).toBeGreaterThan(0);
    expect(row.costNanos).toBeGreaterThan(0);
    expect(row.warnings).toContain(WARNING);
    expect(response.headers.get('x-frugal-warnings')).toContain('cannot be priced');
    expect(data.usage.output_tokens).toBe(row.completionTokens);
  });

  it('estimates and warns when a cache count is fractional, rather than pricing the prompt low', async () => {
    const before = frugal.rows.length;
    await client.messages.create(ask({ cache_read_input_tokens: 12.5 }));
    const row = await rowAfter(before);
    expect(row.tokensEstimated).toBe(true);
    expect(row.warnings).toContain(WARNING);
  });

  it('reads a string of digits as its number, with no warning', async () => {
    const before = frugal.rows.length;
    await client.messages.create(ask({ input_tokens: '40', output_tokens: '7' }));
    const row = await rowAfter(before);
    expect(row).toMatchObject({ promptTokens: 40, completionTokens: 7, tokensEstimated: false });
    expect(row.warnings).not.toContain(WARNING);
  });

  it('estimates and warns on a stream whose message_delta reports a non-numeric output count', async () => {
    const before = frugal.rows.length;
    const stream = client.messages.stream(ask({ output_tokens: 'many' }));
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'One two three four five six.' });
    const row = await rowAfter(before);
    expect(row.tokensEstimated).toBe(true);
    expect(row.completionTokens).toBeGreaterThan(0);
    expect(row.warnings).toContain(WARNING);
  });
});
