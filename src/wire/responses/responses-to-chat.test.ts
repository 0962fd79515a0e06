import { describe, expect, it } from 'vitest';
import { inputItemsOf, itemsToMessages, responsesToChat, UnsupportedInputError } from './responses-to-chat.js';

describe('responsesToChat', () => {
  it('maps every setting to its chat-completions field', () => {
    const request = {
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: 'Hi',
      stream: true,
      tools: [{ type: 'function' as const, name: 'f', description: 'does f', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function' as const, name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema' as const, name: 'x', schema: { type: 'object' }, description: 'an x', strict: true } },
      max_output_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      reasoning: { effort: 'low' },
      metadata: { feature: 'f' },
      user: 'u1',
    };
    expect(responsesToChat(request, inputItemsOf(request) as never)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, description: 'an x', strict: true } },
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      reasoning_effort: 'low',
      metadata: { feature: 'f' },
      user: 'u1',
    });
  });

  it('passes on the settings chat completions names the same way', () => {
    expect(responsesToChat({ model: 'm', prompt_cache_key: 'k', safety_identifier: 's', service_tier: 'flex', text: { verbosity: 'low' } }, [])).toEqual({
      model: 'm',
      messages: [],
      prompt_cache_key: 'k',
      safety_identifier: 's',
      service_tier: 'flex',
      verbosity: 'low',
    });
  });

  it('sends json_object as such and plain text as nothing', () => {
    expect(responsesToChat({ model: 'm', text: { format: { type: 'json_object' } } }, []).response_format).toEqual({ type: 'json_object' });
    expect(responsesToChat({ model: 'm', text: { format: { type: 'text' } } }, [])).not.toHaveProperty('response_format');
  });
});

describe('itemsToMessages', () => {
  it('joins function calls to the assistant turn they follow and answers them with tool messages', () => {
    expect(
      itemsToMessages([
        { role: 'user', content: [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: 'data:image/png;base64,AA', detail: 'low' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Calling', annotations: [] }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
        { type: 'function_call', call_id: 'c3', name: 'f', arguments: '{}' },
        { role: 'developer', content: [{ type: 'input_text', text: 'Rules' }] },
      ]),
    ).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA', detail: 'low' } }] },
      {
        role: 'assistant',
        content: 'Calling',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c3', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'developer', content: 'Rules' },
    ]);
  });

  it('refuses an uploaded file it cannot pass on, naming the part', () => {
    const items = [{ role: 'user' as const, content: [{ type: 'input_image' as const, file_id: 'file_1' }] }];
    expect(() => itemsToMessages(items)).toThrow(UnsupportedInputError);
    try {
      itemsToMessages(items);
    } catch (error) {
      expect((error as UnsupportedInputError).param).toBe('input[0].content[0].file_id');
    }
  });
});
