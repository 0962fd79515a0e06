import { describe, expect, it } from 'vitest';
import { exactCacheKey } from '../../cache/exact/cache-key.js';
import { anthropicNativeOf } from './anthropic-native.js';
import type { AnthropicMessagesRequest } from './anthropic-types.js';
import { messagesToChatRequest } from './messages-to-chat-request.js';
import { checkCountTokensRequest, checkMessagesRequest } from './messages-request-schema.js';

const TOOL = { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

describe('messagesToChatRequest', () => {
  it('translates system blocks, sampling fields, metadata.user_id and stop_sequences; thinking stays native', () => {
    const { request, warnings } = messagesToChatRequest(
      {
        model: 'claude-haiku-4-5',
        max_tokens: 300,
        system: [{ type: 'text', text: 'Rule one.' }, { type: 'text', text: 'Rule two.' }],
        messages: [{ role: 'user', content: 'Hi' }],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ['END'],
        metadata: { user_id: 'user-7' },
        thinking: { type: 'enabled', budget_tokens: 1024 },
      },
      [],
    );
    expect(JSON.parse(JSON.stringify(request))).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 300,
      messages: [{ role: 'system', content: 'Rule one.\nRule two.' }, { role: 'user', content: 'Hi' }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ['END'],
      user: 'user-7',
    });
    expect(warnings).toEqual(["dropped 'thinking' (only Anthropic models take it)"]);
  });

  it('turns tool_use into tool_calls and tool_result into tool messages placed before the user’s words', () => {
    const { request } = messagesToChatRequest(
      {
        model: 'm',
        max_tokens: 10,
        tools: [TOOL],
        tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Sunny' }] }, { type: 'text', text: 'Thanks' }] },
        ],
      },
      [],
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny' },
      { role: 'user', content: 'Thanks' },
    ]);
    expect(request.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: TOOL.input_schema } }]);
    expect(request.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(request.parallel_tool_calls).toBe(false);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
  ] as const)('maps tool_choice %o to %o', (choice, expected) => {
    expect(messagesToChatRequest({ model: 'm', max_tokens: 1, tools: [TOOL], tool_choice: choice, messages: [{ role: 'user', content: 'x' }] }, []).request.tool_choice).toBe(expected);
  });

  it('sends no tool_choice without tools (OpenAI refuses it) and says so', () => {
    const serverToolOnly = messagesToChatRequest(
      { model: 'm', max_tokens: 1, tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'x' }] },
      [],
    );
    expect(serverToolOnly.request.tools).toBeUndefined();
    expect(serverToolOnly.request.tool_choice).toBeUndefined();
    expect(serverToolOnly.warnings).toContain("dropped 'tool_choice' (no tool the model can call)");
    expect(messagesToChatRequest({ model: 'm', max_tokens: 1, tool_choice: { type: 'auto' }, messages: [{ role: 'user', content: 'x' }] }, []).request.tool_choice).toBeUndefined();
  });

  it('gives a non-Anthropic model the text of plain-text and custom-content documents, title and context first', () => {
    const { request, warnings } = messagesToChatRequest(
      {
        model: 'm',
        max_tokens: 1,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The grass is green.' }, title: 'Facts', context: 'From the handbook', citations: { enabled: true } },
              { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'Part one.' }, { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] } },
              { type: 'text', text: 'Summarise.' },
            ],
          },
        ],
      },
      [],
    );
    expect(request.messages[0].content).toEqual([
      { type: 'text', text: 'Facts\nFrom the handbook' },
      { type: 'text', text: 'The grass is green.' },
      { type: 'text', text: 'Part one.' },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      { type: 'text', text: 'Summarise.' },
    ]);
    expect(warnings).toEqual(['dropped citations of a document (only Anthropic models cite)']);
  });

  it('puts a text document inside a tool_result into the tool message', () => {
    const { request } = messagesToChatRequest(
      {
        model: 'm',
        max_tokens: 1,
        messages: [
          { role: 'user', content: 'Read it' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'File body.' } }] }] },
        ],
      },
      [],
    );
    expect(request.messages[2]).toEqual({ role: 'tool', tool_call_id: 'toolu_1', content: 'File body.' });
  });

  it('turns images into image_url parts', () => {
    const { request } = messagesToChatRequest(
      { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }, { type: 'text', text: 'What is it?' }] }] },
      [],
    );
    expect(request.messages[0].content).toEqual([{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }, { type: 'text', text: 'What is it?' }]);
  });

  it('keeps thinking blocks, cache_control and betas only in the native body, and says what a translation drops', () => {
    const body: AnthropicMessagesRequest = {
      model: 'm',
      max_tokens: 10,
      system: [{ type: 'text', text: 'Static.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Hmm', signature: 'sig-1' }, { type: 'text', text: 'A' }] },
        { role: 'user', content: 'Q2' },
      ],
    };
    const { request, warnings } = messagesToChatRequest(body, ['interleaved-thinking-2025-05-14']);
    expect(request.messages[2]).toEqual({ role: 'assistant', content: 'A' });
    expect(warnings).toEqual(["dropped 'thinking' blocks of earlier turns (only Anthropic models take them)"]);
    const native = anthropicNativeOf(request)!;
    expect(native.body).toBe(body);
    expect(native.betas).toEqual(['interleaved-thinking-2025-05-14']);
    expect(native.matches(request.messages)).toBe(true);
    expect(native.matches([...request.messages])).toBe(false);
    // Never on the wire of an OpenAI-compatible upstream.
    expect(JSON.stringify(request)).not.toContain('sig-1');
    expect(JSON.stringify({ ...request, model: 'x' })).not.toContain('anthropic_native');
    expect(anthropicNativeOf({ ...request, model: 'x' })).toBe(native);
  });

  it('gives requests that differ only in what the translation drops different cache keys', () => {
    const base = (signature: string, cached: boolean): AnthropicMessagesRequest => ({
      model: 'm',
      max_tokens: 10,
      system: [{ type: 'text', text: 'Static.', ...(cached ? { cache_control: { type: 'ephemeral' as const } } : {}) }],
      messages: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Hmm', signature }, { type: 'text', text: 'A' }] },
        { role: 'user', content: 'Q2' },
      ],
    });
    const key = (body: AnthropicMessagesRequest, betas: string[] = []) => exactCacheKey(messagesToChatRequest(body, betas).request, { scope: 's' });
    const plain = key(base('sig-1', false));
    expect(key(base('sig-1', false))).toBe(plain);
    expect(key(base('sig-2', false))).not.toBe(plain);
    expect(key(base('sig-1', true))).not.toBe(plain);
    expect(key(base('sig-1', false), ['some-beta'])).not.toBe(plain);
    // A chat-completions request with the same translation never shares an entry with a Messages request.
    const { request } = messagesToChatRequest(base('sig-1', false), []);
    const { anthropic_native: _native, ...chatOnly } = request;
    expect(exactCacheKey(chatOnly as typeof request, { scope: 's' })).not.toBe(plain);
  });
});

describe('checkMessagesRequest', () => {
  it('requires max_tokens as Anthropic does, naming the field Anthropic’s way', () => {
    expect(checkMessagesRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).toEqual({ ok: false, issue: { message: 'max_tokens: Field required', param: 'max_tokens' } });
    expect(checkCountTokensRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).ok).toBe(true);
  });

  it('refuses roles other than user and assistant, and malformed known blocks', () => {
    const system = checkMessagesRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'system', content: 'x' }] });
    expect(system.ok || system.issue.param).toBe('messages.0.role');
    const noSignature = checkMessagesRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 'x' }] }] });
    expect(noSignature.ok || noSignature.issue.param).toBe('messages.0.content.0');
    expect(checkMessagesRequest({ model: 'm', max_tokens: 1, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] }).ok).toBe(false);
  });

  it('says a field of the wrong type is wrong, not missing', () => {
    const wrong = checkMessagesRequest({ model: 'm', max_tokens: '10', messages: [{ role: 'user', content: 'x' }] });
    expect(wrong.ok || wrong.issue.param).toBe('max_tokens');
    expect(wrong.ok || wrong.issue.message).not.toContain('Field required');
    const counted = checkCountTokensRequest({ model: 'm', messages: 'x' });
    expect(counted.ok || counted.issue.message).not.toContain('Field required');
    expect(checkMessagesRequest({ model: 'm', max_tokens: 1 })).toEqual({ ok: false, issue: { param: 'messages', message: 'messages: Field required' } });
  });

  it('refuses an empty turn as Anthropic does, except an empty final assistant turn', () => {
    expect(checkMessagesRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [] }] })).toEqual({
      ok: false,
      issue: { message: 'messages.0: all messages must have non-empty content except for the optional final assistant message', param: 'messages.0' },
    });
    expect(checkMessagesRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: '' }, { role: 'user', content: 'Q2' }] })).toMatchObject({ ok: false, issue: { param: 'messages.1' } });
    expect(checkCountTokensRequest({ model: 'm', messages: [{ role: 'user', content: '' }] }).ok).toBe(false);
    expect(checkMessagesRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: [] }] }).ok).toBe(true);
  });

  it('accepts block types it does not know, for Anthropic to judge', () => {
    const body = { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'search_result', source: 'x', title: 't', content: [] }] }] };
    expect(checkMessagesRequest(body)).toEqual({ ok: true, value: body });
  });
});
