import { describe, expect, it } from 'vitest';
import { fineTuningErrors, validateFineTuningJsonl } from './validate-fine-tuning.js';

const chat = (...messages: unknown[]) => ({ messages });
const ok = chat({ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' });

describe('fine-tuning format checks (the OpenAI cookbook rules)', () => {
  it('passes a plain chat, a weighted turn, and a tool-calling conversation with its tools', () => {
    expect(fineTuningErrors(ok)).toEqual([]);
    expect(fineTuningErrors(chat({ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hey', weight: 0 }, { role: 'user', content: 'Again' }, { role: 'assistant', content: 'Hello.' }))).toEqual([]);
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const withTools = {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        { role: 'assistant', content: 'It is 21 °C.' },
      ],
      tools,
    };
    expect(fineTuningErrors(withTools)).toEqual([]);
  });

  it('names each broken rule', () => {
    expect(fineTuningErrors('text')).toEqual(['data_type']);
    expect(fineTuningErrors({ messages: [] })).toEqual(['missing_messages_list']);
    expect(fineTuningErrors({ prompt: 'x', completion: 'y' })).toEqual(['missing_messages_list']);
    expect(fineTuningErrors({ ...ok, key_id: 'key_1' })).toEqual(['unrecognized_key']);
    expect(fineTuningErrors(chat({ role: 'user' }, { role: 'assistant', content: 'a' }))).toEqual(['message_missing_key', 'missing_content']);
    expect(fineTuningErrors(chat({ role: 'user', content: 'q', request_id: 'r' }, { role: 'assistant', content: 'a' }))).toEqual(['message_unrecognized_key']);
    expect(fineTuningErrors(chat({ role: 'developer', content: 'q' }, { role: 'assistant', content: 'a' }))).toEqual(['unrecognized_role']);
    expect(fineTuningErrors(chat({ role: 'user', content: [{ type: 'text', text: 'q' }] }, { role: 'assistant', content: 'a' }))).toEqual(['missing_content']);
    expect(fineTuningErrors(chat({ role: 'user', content: '' }, { role: 'assistant', content: 'a' }))).toEqual(['missing_content']);
    expect(fineTuningErrors(chat({ role: 'user', content: 'q' }))).toEqual(['example_missing_assistant_message']);
    expect(fineTuningErrors(chat({ role: 'user', content: 'q', weight: 1 }, { role: 'assistant', content: 'a' }))).toEqual(['invalid_weight']);
    expect(fineTuningErrors(chat({ role: 'user', content: 'q' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', function: { name: 'f' } }] }))).toEqual(['invalid_tool_calls']);
    expect(fineTuningErrors(chat({ role: 'tool', content: 'r' }, { role: 'assistant', content: 'a' }))).toEqual(['invalid_tool_calls']);
    expect(fineTuningErrors({ ...ok, tools: [{ type: 'function', function: { name: 'has spaces' } }] })).toEqual(['invalid_tools']);
    expect(fineTuningErrors({ ...ok, tools: { name: 'f' } })).toEqual(['invalid_tools']);
  });

  it('counts errors over a file by line, blank and unparsable lines included', () => {
    const text = [JSON.stringify(ok), '', '{not json', JSON.stringify(chat({ role: 'user', content: 'q' })), JSON.stringify(ok)].join('\n') + '\n';
    expect(validateFineTuningJsonl(text)).toEqual({ examples: 5, errors: { invalid_json: 2, example_missing_assistant_message: 1 }, failingLines: [2, 3, 4] });
    expect(validateFineTuningJsonl(`${JSON.stringify(ok)}\n`)).toEqual({ examples: 1, errors: {}, failingLines: [] });
  });
});
