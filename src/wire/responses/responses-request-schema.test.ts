import { describe, expect, it } from 'vitest';
import { checkResponsesRequest } from './responses-request-schema.js';

const issueOf = (body: unknown) => {
  const checked = checkResponsesRequest(body);
  return checked.ok ? undefined : checked.issue;
};

describe('checkResponsesRequest', () => {
  it('accepts what the official clients send and keeps the body as it came', () => {
    const body = {
      model: 'gpt-4o-mini',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Hi' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }], id: 'msg_1', status: 'completed' },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
        { type: 'item_reference', id: 'msg_2' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: true }],
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true } },
      include: ['reasoning.encrypted_content'],
      store: false,
    };
    expect(checkResponsesRequest(body)).toEqual({ ok: true, value: body });
  });

  it('names the hosted tool it refuses, and the field', () => {
    expect(issueOf({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'web_search_preview' }] })).toEqual({
      message: "Tool type 'web_search_preview' is not supported: Frugal serves function tools only.",
      param: 'tools[1].type',
    });
    expect(issueOf({ model: 'm', input: 'x', tool_choice: { type: 'file_search' } })).toMatchObject({ param: 'tool_choice.type' });
    expect(issueOf({ model: 'm', input: 'x', background: true })).toMatchObject({ param: 'background' });
  });

  it('names the field at fault in OpenAI’s param notation', () => {
    expect(issueOf([])).toEqual({ message: 'The request body must be a JSON object.', param: null });
    expect(issueOf({ input: 'x' })?.param).toBe('model');
    expect(issueOf({ model: 'm', input: [{ role: 'robot', content: 'x' }] })?.param).toMatch(/^input\[0\]/);
    expect(issueOf({ model: 'm', input: 'x', max_output_tokens: 0 })?.param).toBe('max_output_tokens');
    expect(issueOf({ model: 'm', input: 'x', metadata: { k: 'a\u0000b' } })?.param).toBe('metadata.k');
    expect(issueOf({ model: 'm', input: 'x', text: { format: { type: 'json_schema', schema: {} } } })?.param).toBe('text.format.name');
  });
});
