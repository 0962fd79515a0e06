import { randomUUID } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../../testing/start-keyed-gateway.js';

// count_tokens reaches the upstream's count endpoint, whose quota every key shares: a key's RPM must bound it, as
// Anthropic's own API limits counting by requests per minute, apart from messages and without charging tokens.
const PROVIDER_KEY = 'sk-ant-count-limit-test-0123456789';
let upstream: MockAnthropicServer;
let gateway: KeyedGateway;

beforeAll(async () => {
  upstream = await startMockAnthropicServer({ apiKey: PROVIDER_KEY });
  gateway = await startKeyedGateway(
    {
      providers: { anthropic: { kind: 'anthropic', base_url: upstream.url, api_key: '${ANTHROPIC_API_KEY}' } },
      models: [{ name: 'claude-haiku-4-5', provider: 'anthropic', upstream: 'claude-haiku-4-5-20251001', price: { input: 1, output: 5 } }],
      cache: { enabled: false },
    },
    { ANTHROPIC_API_KEY: PROVIDER_KEY },
  );
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function createKey(fields: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${gateway.origin}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `count-${randomUUID()}`, ...fields }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

const countCalls = () => upstream.requests.filter((request) => request.path === '/v1/messages/count_tokens').length;

describe('POST /v1/messages/count_tokens under a key’s rate limit', () => {
  it('refuses counts beyond the key’s RPM with a 429 rate_limit_error and Retry-After, before the upstream is asked', async () => {
    const client = new Anthropic({ apiKey: await createKey({ rpm: 2 }), baseURL: gateway.origin, maxRetries: 0 });
    const params = { model: 'claude-haiku-4-5', messages: [{ role: 'user' as const, content: 'How many tokens is this?' }] };
    const before = countCalls();
    await expect(client.messages.countTokens(params)).resolves.toMatchObject({ input_tokens: expect.any(Number) });
    await expect(client.messages.countTokens(params)).resolves.toMatchObject({ input_tokens: expect.any(Number) });
    const refused = await client.messages.countTokens(params).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    const error = refused as InstanceType<typeof Anthropic.RateLimitError>;
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' }, request_id: error.requestID });
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(countCalls()).toBe(before + 2);
  });

  it('charges counting neither to the key’s TPM nor to its messages: a message still passes after the counts', async () => {
    const client = new Anthropic({ apiKey: await createKey({ rpm: 2, tpm: 100 }), baseURL: gateway.origin, maxRetries: 0 });
    // Far more tokens than the key's TPM: a count charged as tokens could never pass.
    const long = { model: 'claude-haiku-4-5', messages: [{ role: 'user' as const, content: 'word '.repeat(400) }] };
    const counted = await client.messages.countTokens(long);
    expect(counted.input_tokens).toBeGreaterThan(100);
    await client.messages.countTokens(long);
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.type).toBe('message');
    await expect(client.messages.countTokens(long)).rejects.toBeInstanceOf(Anthropic.RateLimitError);
  });

  it('limits each key on its own', async () => {
    const first = new Anthropic({ apiKey: await createKey({ rpm: 1 }), baseURL: gateway.origin, maxRetries: 0 });
    const second = new Anthropic({ apiKey: await createKey({ rpm: 1 }), baseURL: gateway.origin, maxRetries: 0 });
    const params = { model: 'claude-haiku-4-5', messages: [{ role: 'user' as const, content: 'Hi' }] };
    await first.messages.countTokens(params);
    await expect(first.messages.countTokens(params)).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await expect(second.messages.countTokens(params)).resolves.toMatchObject({ input_tokens: expect.any(Number) });
  });
});
