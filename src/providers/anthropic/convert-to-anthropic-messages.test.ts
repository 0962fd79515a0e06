import { describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.js';

function convert(request: Partial<ChatRequest>, defaultMaxTokens?: number) {
  return convertToAnthropicMessages({ model: 'claude-haiku-4-5', messages: [], max_tokens: 100, ...request } as ChatRequest, { defaultMaxTokens });
}

function refusal(request: Partial<ChatRequest>): FrugalError {
  try {
    convert(request);
  } catch (error) {
    if (error instanceof FrugalError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('convertToAnthropicMessages: messages', () => {
  it('sends a plain conversation with string content and no warnings', () => {
    const { body, warnings } = convert({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(body).toEqual({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 100 });
    expect(warnings).toEqual([]);
  });

  it('lifts system and developer messages into the top-level system prompt', () => {
    const single = convert({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    expect(single.body.system).toBe('Be brief.');
    const several = convert({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(several.body.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Answer in French.' },
    ]);
    expect(several.body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(several.warnings).toEqual([]);
  });

  it('says so when a system message from mid-conversation is moved to the top', () => {
    const { body, warnings } = convert({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'system', content: 'Now be formal.' },
      ],
    });
    expect(body.system).toBe('Now be formal.');
    expect(warnings).toEqual(['moved the system message at messages[1] into the top-level system prompt']);
  });

  it('converts images: data URLs to base64 sources, http URLs to url sources', () => {
    const { body } = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(body.messages[0].content).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('refuses image types Anthropic cannot read, naming the part', () => {
    const error = refusal({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }] }] });
    expect(error.code).toBe('not_supported');
    expect(error.param).toBe('messages[0].content[0]');
  });

  it('sends PDFs given as file parts as document blocks', () => {
    const { body } = convert({
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } }] }],
    });
    expect(body.messages[0].content).toEqual([{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' }]);
  });

  it('turns assistant tool calls into tool_use blocks and tool messages into one user turn of tool_result blocks', () => {
    const { body } = convert({
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '4C' }] },
        { role: 'user', content: 'And tomorrow?' },
      ],
      tools: [weatherTool],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '4C' }] },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ]);
  });

  it('merges consecutive messages of the same role, as Anthropic requires alternating turns', () => {
    const { body } = convert({
      messages: [
        { role: 'user', content: 'First.' },
        { role: 'user', content: 'Second.' },
        { role: 'assistant', content: 'A' },
        { role: 'assistant', content: 'B' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'First.' }, { type: 'text', text: 'Second.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
    ]);
  });

  it('sends an empty tool call argument string as an empty input object', () => {
    const { body } = convert({
      messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'now', arguments: '' } }] }],
    });
    expect(body.messages[0].content).toEqual([{ type: 'tool_use', id: 't', name: 'now', input: {} }]);
  });

  it('refuses tool call arguments that are not a JSON object', () => {
    const error = refusal({
      messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'now', arguments: '{"a":' } }] }],
    });
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe('messages[0].tool_calls[0].function.arguments');
  });
});

describe('convertToAnthropicMessages: parameters', () => {
  it('defaults max_tokens when the client set none, and says so', () => {
    const { body, warnings } = convert({ max_tokens: undefined, messages: [{ role: 'user', content: 'Hi' }] }, 2048);
    expect(body.max_tokens).toBe(2048);
    expect(warnings).toEqual(['max_tokens not set; sent 2048 (Anthropic requires a limit)']);
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    expect(convert({ max_tokens: 100, max_completion_tokens: 300 }).body.max_tokens).toBe(300);
  });

  it('maps stop, temperature, top_p and user', () => {
    const { body, warnings } = convert({ stop: 'END', top_p: 0.9, user: 'user-42' });
    expect(body).toMatchObject({ stop_sequences: ['END'], top_p: 0.9, metadata: { user_id: 'user-42' } });
    expect(convert({ stop: ['a', 'b'], temperature: 0.2 }).body).toMatchObject({ stop_sequences: ['a', 'b'], temperature: 0.2 });
    expect(warnings).toEqual([]);
  });

  it('lowers a temperature above 1 to 1 and keeps temperature over top_p, with warnings', () => {
    const { body, warnings } = convert({ temperature: 1.5, top_p: 0.5 });
    expect(body.temperature).toBe(1);
    expect(body.top_p).toBeUndefined();
    expect(warnings).toEqual(['temperature 1.5 lowered to 1 (Anthropic\'s maximum)', 'dropped top_p (Anthropic models take temperature or top_p, not both)']);
  });

  it('maps tools and every tool_choice form', () => {
    const { body } = convert({ tools: [weatherTool], tool_choice: 'auto' });
    expect(body.tools).toEqual([{ name: 'get_weather', description: 'Weather by city', input_schema: weatherTool.function.parameters }]);
    expect(body.tool_choice).toEqual({ type: 'auto' });
    expect(convert({ tools: [weatherTool], tool_choice: 'none' }).body.tool_choice).toEqual({ type: 'none' });
    expect(convert({ tools: [weatherTool], tool_choice: 'required' }).body.tool_choice).toEqual({ type: 'any' });
    expect(convert({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } }).body.tool_choice).toEqual({
      type: 'tool',
      name: 'get_weather',
    });
    expect(convert({ tools: [weatherTool], parallel_tool_calls: false }).body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('gives a tool without parameters an empty object schema', () => {
    const { body } = convert({ tools: [{ type: 'function', function: { name: 'now' } }] });
    expect(body.tools).toEqual([{ name: 'now', input_schema: { type: 'object', properties: {} } }]);
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ top_logprobs: 3 }, 'top_logprobs'],
    [{ response_format: { type: 'json_schema' as const, json_schema: { name: 'x', schema: {} } } }, 'response_format'],
  ])('refuses %j as not_supported, naming the param', (request, param) => {
    const error = refusal(request);
    expect(error.code).toBe('not_supported');
    expect(error.param).toBe(param);
  });

  it('drops what Anthropic cannot do but the answer does not depend on, each with a warning', () => {
    const { body, warnings } = convert({
      seed: 7,
      frequency_penalty: 0.5,
      presence_penalty: 0,
      response_format: { type: 'json_object' },
      logit_bias: { '50256': -100 },
      metadata: { team: 'growth' },
      service_tier: 'flex',
      n: 1,
      logprobs: false,
    });
    expect(warnings).toEqual([
      'dropped seed (Anthropic has no seed)',
      'dropped response_format json_object (Anthropic has no JSON mode; ask for JSON in the prompt)',
      'dropped frequency_penalty (Anthropic has none)',
      'dropped logit_bias (Anthropic has none)',
      'dropped metadata (Anthropic takes only a user id)',
      "dropped unsupported parameter 'service_tier'",
    ]);
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('passes Anthropic-native top_k and thinking through', () => {
    const { body, warnings } = convert({ top_k: 40, thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(body).toMatchObject({ top_k: 40, thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(warnings).toEqual([]);
  });
});
