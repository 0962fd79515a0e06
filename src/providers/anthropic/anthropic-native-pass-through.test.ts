import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import type { AnthropicMessagesRequest } from '../../wire/anthropic/anthropic-types.js';
import { messagesToChatRequest } from '../../wire/anthropic/messages-to-chat-request.js';
import type { ProviderAdapter } from '../provider-adapter.js';
import { createAnthropicAdapter } from './anthropic-adapter.js';

const API_KEY = 'sk-ant-api03-native-test-key-0123456789';
let mock: MockAnthropicServer;
let adapter: ProviderAdapter;

beforeAll(async () => {
  mock = await startMockAnthropicServer({ apiKey: API_KEY });
  adapter = createAnthropicAdapter({ name: 'claude', baseUrl: mock.url, apiKey: API_KEY, headers: { 'anthropic-beta': 'configured-beta' } });
});
afterAll(async () => {
  await adapter.close();
  await mock.close();
});

const call = () => ({ signal: new AbortController().signal });

function clientBody(marker: string): AnthropicMessagesRequest {
  return {
    model: 'claude-haiku-4-5',
    max_tokens: 64,
    system: [{ type: 'text', text: 'Static rules.', cache_control: { type: 'ephemeral' } }],
    tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }],
    tool_choice: { type: 'none' },
    messages: [
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'Earlier thought.', signature: 'sig-earlier' }, { type: 'text', text: 'Earlier answer.' }] },
      { role: 'user', content: [{ type: 'text', text: `Next question ${marker}`, cache_control: { type: 'ephemeral' } }] },
    ],
    metadata: { user_id: 'user-1' },
  };
}

describe('Anthropic adapter, native pass-through', () => {
  it('sends the client’s own body (model as the upstream id) and its betas after the configured ones', async () => {
    const body = clientBody('native-1');
    const { request } = messagesToChatRequest(body, ['interleaved-thinking-2025-05-14']);
    await adapter.chat({ ...request, model: 'claude-haiku-4-5-20251001' }, call());
    const sent = mock.requests.at(-1)!;
    expect(sent.body).toEqual({ ...body, model: 'claude-haiku-4-5-20251001' });
    expect(sent.headers['anthropic-beta']).toBe('configured-beta,interleaved-thinking-2025-05-14');
  });

  it('answers with Anthropic’s own message on the assistant message', async () => {
    const { request } = messagesToChatRequest(clientBody('native-2'), []);
    const result = await adapter.chat(request, call());
    expect(result.response.choices[0].message.anthropic_message).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hello from the mock.' }] });
  });

  it('falls back to the translation, and says so, once a stage rewrote the conversation', async () => {
    const { request } = messagesToChatRequest({ ...clientBody('native-3'), thinking: { type: 'enabled', budget_tokens: 1024 } }, []);
    const result = await adapter.chat({ ...request, messages: request.messages.slice(1) }, call());
    const sent = mock.requests.at(-1)!;
    expect(JSON.stringify(sent.body)).not.toContain('sig-earlier');
    expect(sent.body?.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(result.warnings.some((warning) => warning.includes('sent a translation of the Messages request'))).toBe(true);
    expect(result.response.choices[0].message.anthropic_message).toBeUndefined();
  });

  it('counts tokens with the upstream’s count endpoint, output fields left out', async () => {
    const body = clientBody('native-4');
    const { request } = messagesToChatRequest(body, []);
    const counted = await adapter.countTokens!(request, call());
    const sent = mock.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages/count_tokens');
    const { max_tokens: _max, metadata: _metadata, ...prompt } = body;
    expect(sent.body).toEqual(prompt);
    expect(counted).toBeGreaterThan(0);
  });
});
