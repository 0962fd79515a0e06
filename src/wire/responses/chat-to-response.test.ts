import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../chat-types.js';
import { chatToResponse, responseEnvelope, usageToResponses } from './chat-to-response.js';
import { responseOfItem } from './response-ids.js';

const ID = `resp_${'a'.repeat(32)}`;
const envelope = responseEnvelope({ model: 'gpt-4o-mini', instructions: 'Be brief.', store: false, metadata: { f: 'x' } }, ID, 1_765_000_000);

function chat(message: Record<string, unknown>, finish: string, usage?: Record<string, unknown>): ChatResponse {
  return { id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: finish as never }], usage: usage as never };
}

describe('chatToResponse', () => {
  it('turns text and tool calls into a message and function_call items, with ids of this response', () => {
    const response = chatToResponse(
      chat({ content: 'Checking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, 'tool_calls', {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
        cost: 0.000123,
      }),
      envelope,
      1_765_000_009,
    );
    expect(response).toMatchObject({
      id: ID,
      object: 'response',
      status: 'completed',
      completed_at: 1_765_000_009,
      created_at: 1_765_000_000,
      model: 'gpt-4o-mini-2024-07-18',
      instructions: 'Be brief.',
      store: false,
      metadata: { f: 'x' },
      output: [
        { type: 'message', id: `msg_${'a'.repeat(32)}_0`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [], logprobs: [] }] },
        { type: 'function_call', id: `fc_${'a'.repeat(32)}_1`, status: 'completed', call_id: 'call_1', name: 'f', arguments: '{}' },
      ],
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15, cost: 0.000123 },
    });
    expect(response.output.map((item) => responseOfItem(item.id))).toEqual([ID, ID]);
  });

  it('leaves a length-cut answer incomplete, and a refusal as a refusal part', () => {
    expect(chatToResponse(chat({ content: 'Half' }, 'length'), envelope, 1)).toMatchObject({ status: 'incomplete', completed_at: null, incomplete_details: { reason: 'max_output_tokens' }, output: [{ status: 'incomplete' }] });
    expect(chatToResponse(chat({ refusal: 'No.' }, 'stop'), envelope, 1).output).toEqual([
      { type: 'message', id: `msg_${'a'.repeat(32)}_0`, status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
    ]);
  });

  it('puts shown reasoning first, as a reasoning item', () => {
    expect(chatToResponse(chat({ content: 'Four.', reasoning_content: 'Two and two.' }, 'stop'), envelope, 1).output).toEqual([
      { type: 'reasoning', id: `rs_${'a'.repeat(32)}_0`, status: 'completed', summary: [], content: [{ type: 'reasoning_text', text: 'Two and two.' }] },
      expect.objectContaining({ type: 'message', id: `msg_${'a'.repeat(32)}_1` }),
    ]);
  });

  it('reports no usage as null and leaves cost out when the chat usage has none', () => {
    expect(chatToResponse(chat({ content: 'x' }, 'stop'), envelope, 1).usage).toBeNull();
    expect(usageToResponses({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })).toEqual({
      input_tokens: 1,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 2,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 3,
    });
  });
});
