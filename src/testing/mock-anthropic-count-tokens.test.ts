import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from './mock-anthropic-server.js';

const KEY = 'sk-ant-mock-count-0123456789';
let mock: MockAnthropicServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropicServer({ apiKey: KEY });
  client = new Anthropic({ apiKey: KEY, baseURL: mock.url, maxRetries: 0 });
});

afterAll(async () => {
  await mock?.close();
});

describe('mock Anthropic POST /v1/messages/count_tokens', () => {
  it('answers { input_tokens } with the count a message reports for the same prompt', async () => {
    const prompt = { model: 'claude-haiku-4-5', system: 'Be brief.', messages: [{ role: 'user' as const, content: 'Count me, please.' }] };
    const counted = await client.messages.countTokens(prompt);
    const created = await client.messages.create({ ...prompt, max_tokens: 20 });
    expect(counted).toEqual({ input_tokens: created.usage.input_tokens });
    const sent = mock.requests.find((request) => request.path === '/v1/messages/count_tokens')!;
    expect(sent.body).toEqual(prompt);
  });

  it('refuses output fields as the real endpoint does', async () => {
    const response = await fetch(`${mock.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Extra inputs are not permitted' } });
  });
});
