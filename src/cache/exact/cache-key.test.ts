import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../wire/chat-types.js';
import { exactCacheKey } from './cache-key.js';

const base: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0,
};
const scope = 'key:alpha';
const keyOf = (request: ChatRequest, options: { scope?: string; caseFold?: boolean } = {}) =>
  exactCacheKey(request, { scope: options.scope ?? scope, caseFold: options.caseFold });

describe('exactCacheKey: equivalent requests share a key', () => {
  it('is a 64-character SHA-256 hex digest', () => {
    expect(keyOf(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores stream, stream_options, user, metadata, store and prompt_cache_key', () => {
    const streamed: ChatRequest = {
      ...base,
      stream: true,
      stream_options: { include_usage: true },
      user: 'u-42',
      metadata: { ticket: '7' },
      store: true,
      prompt_cache_key: 'abc',
      safety_identifier: 'sid',
    };
    expect(keyOf(streamed)).toBe(keyOf(base));
  });

  it('ignores key order in the request and inside tools', () => {
    const tool = { type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } } };
    const reordered = { type: 'function' as const, function: { parameters: { properties: { a: { type: 'string' } }, type: 'object' }, name: 'f' } };
    const first: ChatRequest = { ...base, tools: [tool], temperature: 0.2 };
    const second = { temperature: 0.2, tools: [reordered], messages: base.messages, model: base.model } as ChatRequest;
    expect(keyOf(second)).toBe(keyOf(first));
  });

  it('normalises whitespace between words, line ends and surrounding blank space', () => {
    const spaced: ChatRequest = {
      ...base,
      messages: [
        { role: 'system', content: '  You are   terse.\r\n' },
        { role: 'user', content: 'What is the capital   of France?  \n\n\n' },
      ],
    };
    expect(keyOf(spaced)).toBe(keyOf(base));
  });

  it('keeps indentation and tabs, which carry meaning in code and TSV', () => {
    const code = (text: string): ChatRequest => ({ ...base, messages: [{ role: 'user', content: text }] });
    expect(keyOf(code('if x:\n    return 1'))).not.toBe(keyOf(code('if x:\n return 1')));
    expect(keyOf(code('a\t\tb'))).not.toBe(keyOf(code('a\tb')));
  });

  it('treats a string and a single text part as the same content', () => {
    const parts: ChatRequest = {
      ...base,
      messages: [base.messages[0], { role: 'user', content: [{ type: 'text', text: 'What is the capital of France? ' }] }],
    };
    expect(keyOf(parts)).toBe(keyOf(base));
  });

  it('treats null parameters as absent, n=1 as the default, and a stop string as a one-item list', () => {
    expect(keyOf({ ...base, top_p: null, seed: null, n: 1, logprobs: false })).toBe(keyOf(base));
    expect(keyOf({ ...base, stop: 'END' })).toBe(keyOf({ ...base, stop: ['END'] }));
    expect(keyOf({ ...base, stop: ['a', 'b'] })).toBe(keyOf({ ...base, stop: ['b', 'a'] }));
  });

  it('renames tool-call ids consistently, so a replayed tool conversation hits', () => {
    const withIds = (id: string): ChatRequest => ({
      ...base,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: id, content: '18C' },
      ],
    });
    expect(keyOf(withIds('call_abc'))).toBe(keyOf(withIds('call_xyz')));
  });

  it('folds case only when asked', () => {
    const shouted: ChatRequest = { ...base, messages: [base.messages[0], { role: 'user', content: 'WHAT IS THE CAPITAL OF FRANCE?' }] };
    expect(keyOf(shouted)).not.toBe(keyOf(base));
    expect(keyOf(shouted, { caseFold: true })).toBe(keyOf(base, { caseFold: true }));
  });
});

describe('exactCacheKey: anything that changes the answer changes the key', () => {
  const variants: Array<[string, Partial<ChatRequest>]> = [
    ['model', { model: 'gpt-4o' }],
    ['temperature', { temperature: 0.1 }],
    ['top_p', { top_p: 0.5 }],
    ['max_tokens', { max_tokens: 10 }],
    // The newer name of max_tokens: the same limit is the same key (canonical-request.ts), so another limit here.
    ['max_completion_tokens', { max_completion_tokens: 11 }],
    ['seed', { seed: 7 }],
    ['n', { n: 2 }],
    ['stop', { stop: ['\n'] }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { logprobs: true, top_logprobs: 3 }],
    ['frequency_penalty', { frequency_penalty: 0.5 }],
    ['presence_penalty', { presence_penalty: 0.5 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['tools', { tools: [{ type: 'function', function: { name: 'lookup' } }] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['reasoning_effort', { reasoning_effort: 'high' }],
    ['an unknown future parameter', { verbosity_next: 'low' }],
    ['the system prompt', { messages: [{ role: 'system', content: 'You are verbose.' }, base.messages[1]] }],
    ['the question', { messages: [base.messages[0], { role: 'user', content: 'What is the capital of Spain?' }] }],
    ['a message role', { messages: [{ role: 'developer', content: 'You are terse.' }, base.messages[1]] }],
    ['a message name', { messages: [base.messages[0], { ...base.messages[1], name: 'alice' }] }],
    ['an image', { messages: [base.messages[0], { role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }, { type: 'image_url', image_url: { url: 'https://x/a.png' } }] }] }],
  ];

  it.each(variants)('differs when %s differs', (_name, change) => {
    expect(keyOf({ ...base, ...change } as ChatRequest)).not.toBe(keyOf(base));
  });

  it('gives every variant its own key', () => {
    const keys = new Set(variants.map(([, change]) => keyOf({ ...base, ...change } as ChatRequest)));
    expect(keys.size).toBe(variants.length);
  });

  it('distinguishes image detail levels, absent detail being auto', () => {
    const image = (detail?: 'low' | 'high' | 'auto'): ChatRequest => ({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url: 'https://x/a.png', detail } }] }],
    });
    expect(keyOf(image())).toBe(keyOf(image('auto')));
    expect(keyOf(image('high'))).not.toBe(keyOf(image('low')));
  });
});

describe('exactCacheKey: tenants never collide', () => {
  it('gives the same request different keys in different scopes', () => {
    const scopes = ['key:alpha', 'key:beta', 'team:alpha', 'shared', '', 'key:alpha '];
    const keys = new Set(scopes.map((name) => keyOf(base, { scope: name })));
    expect(keys.size).toBe(scopes.length);
  });

  it('cannot be forged by moving text between the scope and the content', () => {
    const left = keyOf({ ...base, messages: [{ role: 'user', content: 'b' }] }, { scope: 'a' });
    const right = keyOf({ ...base, messages: [{ role: 'user', content: 'ab' }] }, { scope: '' });
    expect(left).not.toBe(right);
  });
});

describe('exactCacheKey: indentation of a pasted block', () => {
  it('keeps the first line indentation of multi-line text but trims a lone line', () => {
    const text = (content: string): ChatRequest => ({ ...base, messages: [{ role: 'user', content }] });
    expect(keyOf(text('\n\n    x = 1\n    y = 2'))).toBe(keyOf(text('    x = 1\n    y = 2')));
    expect(keyOf(text('    x = 1\n    y = 2'))).not.toBe(keyOf(text('x = 1\n    y = 2')));
    expect(keyOf(text('   hello'))).toBe(keyOf(text('hello')));
  });
});
