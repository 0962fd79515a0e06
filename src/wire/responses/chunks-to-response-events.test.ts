import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChunkDelta, FinishReason } from '../chat-types.js';
import { responseEnvelope } from './chat-to-response.js';
import { ResponseEventConverter } from './chunks-to-response-events.js';

const ID = `resp_${'b'.repeat(32)}`;
const chunk = (delta: ChunkDelta, finish: FinishReason = null, usage?: ChatChunk['usage']): ChatChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'served-model',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...(usage ? { usage } : {}),
});
const usageChunk = (): ChatChunk => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'served-model', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, cost: 0.5 } });

function run(chunks: ChatChunk[], end: 'end' | 'fail' = 'end') {
  const converter = new ResponseEventConverter(responseEnvelope({ model: 'm' }, ID, 100));
  const events = [...converter.start(), ...chunks.flatMap((c) => converter.push(c))];
  events.push(...(end === 'end' ? converter.end(200) : converter.fail({ code: 'server_error', message: 'broke' })));
  return { events, response: converter.current };
}

describe('ResponseEventConverter', () => {
  it('numbers every event from 0 and closes text before a tool call opens', () => {
    const { events, response } = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Let me ' }),
      chunk({ content: 'check.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk(),
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.map((event) => `${event.type}${'output_index' in event ? `@${event.output_index}` : ''}`)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added@0',
      'response.content_part.added@0',
      'response.output_text.delta@0',
      'response.output_text.delta@0',
      'response.output_text.done@0',
      'response.content_part.done@0',
      'response.output_item.done@0',
      'response.output_item.added@1',
      'response.function_call_arguments.delta@1',
      'response.function_call_arguments.delta@1',
      'response.function_call_arguments.done@1',
      'response.output_item.done@1',
      'response.output_item.added@2',
      'response.function_call_arguments.delta@2',
      'response.function_call_arguments.done@2',
      'response.output_item.done@2',
      'response.completed',
    ]);
    expect(response).toMatchObject({
      status: 'completed',
      completed_at: 200,
      model: 'served-model',
      output: [
        { type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Let me check.' }] },
        { type: 'function_call', id: `fc_${'b'.repeat(32)}_1`, call_id: 'call_1', name: 'f', arguments: '{"a":1}', status: 'completed' },
        { type: 'function_call', call_id: 'call_2', name: 'g', arguments: '{}', status: 'completed' },
      ],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5, cost: 0.5 },
    });
  });

  it('hands out snapshots: a later change never alters an event already sent', () => {
    const { events } = run([chunk({ content: 'Hi' }, 'stop')]);
    expect(events[0]).toMatchObject({ type: 'response.created', response: { status: 'in_progress', output: [] } });
    expect(events[2]).toMatchObject({ type: 'response.output_item.added', item: { status: 'in_progress', content: [] } });
  });

  it('ends a length-cut stream with response.incomplete', () => {
    const { events } = run([chunk({ content: 'Half' }, 'length')]);
    expect(events[events.length - 1]).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
    expect(events.find((event) => event.type === 'response.output_item.done')).toMatchObject({ item: { status: 'incomplete' } });
  });

  it('streams reasoning as a reasoning item before the message', () => {
    const { events, response } = run([chunk({ reasoning_content: 'Think' }), chunk({ reasoning_content: 'ing.' }), chunk({ content: 'Four.' }, 'stop')]);
    expect(events.map((event) => event.type).slice(2, 10)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
    ]);
    expect(response.output).toEqual([
      { type: 'reasoning', id: `rs_${'b'.repeat(32)}_0`, status: 'completed', summary: [], content: [{ type: 'reasoning_text', text: 'Thinking.' }] },
      expect.objectContaining({ type: 'message', id: `msg_${'b'.repeat(32)}_1` }),
    ]);
  });

  it('streams a refusal as its own content part', () => {
    const { events } = run([chunk({ refusal: 'I cannot' }), chunk({ refusal: ' help.' }, 'stop')]);
    expect(events.map((event) => event.type).slice(2, -1)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.refusal.delta',
      'response.refusal.delta',
      'response.refusal.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
    expect(events.find((event) => event.type === 'response.refusal.done')).toMatchObject({ refusal: 'I cannot help.' });
  });

  it('fails with response.failed, keeping what was generated, and nothing after it', () => {
    const converter = new ResponseEventConverter(responseEnvelope({ model: 'm' }, ID, 100));
    converter.start();
    converter.push(chunk({ content: 'Part' }));
    const failed = converter.fail({ code: 'server_error', message: 'broke' });
    expect(failed).toEqual([expect.objectContaining({ type: 'response.failed', sequence_number: 5 })]);
    expect(converter.current).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'broke' }, output: [{ status: 'incomplete', content: [{ text: 'Part' }] }] });
    expect(converter.end(1)).toEqual([]);
  });
});
