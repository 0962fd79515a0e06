import { describe, expect, it } from 'vitest';
import type { CurrentScore, ScoredSample } from '../scored-samples/scored-sample-reader.js';
import { chatJsonlLines } from './chat-jsonl-export.js';
import { fineTuningErrors } from './validate-fine-tuning.js';

let next = 0;
function sample(request: unknown, answer: string, scores: Array<Partial<CurrentScore> & { score: number }>, model = 'teacher'): ScoredSample {
  next += 1;
  return {
    requestId: `req-${next}`,
    requestTs: next,
    route: 'auto',
    model,
    task: null,
    requestJson: JSON.stringify(request),
    answer,
    costNanos: 1_000,
    scores: scores.map((score) => ({ name: 'judge', source: 'judge', metadata: null, ...score })),
  };
}

const ask = (content: unknown) => [{ role: 'user', content }];

describe('chat JSONL export', () => {
  it('writes the messages, then the answer as the assistant turn, for samples at or above the bar', () => {
    const { lines, counts } = chatJsonlLines(
      [
        sample([{ role: 'developer', content: 'Be brief.' }, ...ask('Capital of France?')], 'Paris.', [{ score: 0.8 }]),
        sample(ask('2+2?'), '5', [{ score: 0.79 }]),
        sample(ask('Unscored'), 'x', []),
      ],
      { minScore: 0.8 },
    );
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Capital of France?' },
          { role: 'assistant', content: 'Paris.' },
        ],
      },
    ]);
    expect(counts).toEqual({ samples: 3, otherModel: 0, unscored: 1, belowBar: 1, notText: 0, duplicate: 0, exported: 1 });
  });

  it('needs every bar score the sample has to pass, and reads only the names asked for', () => {
    const mixed = sample(ask('q'), 'a', [{ score: 0.9 }, { name: 'default', score: 0, source: 'user' }]);
    const helpful = sample(ask('q2'), 'a2', [{ name: 'helpful', score: 1, source: 'user' }]);
    expect(chatJsonlLines([mixed, helpful], { minScore: 0.8 }).counts).toMatchObject({ belowBar: 1, unscored: 1, exported: 0 });
    expect(chatJsonlLines([mixed, helpful], { minScore: 0.8, scoreNames: ['judge'] }).counts.exported).toBe(1);
    expect(chatJsonlLines([mixed, helpful], { minScore: 0.8, scoreNames: ['helpful'] }).counts).toMatchObject({ exported: 1, unscored: 1 });
  });

  it("keeps only the teacher's answers with --model, and drops duplicates", () => {
    const samples = [sample(ask('q'), 'a', [{ score: 1 }]), sample(ask('q'), 'a', [{ score: 1 }]), sample(ask('q'), 'b', [{ score: 1 }], 'student')];
    expect(chatJsonlLines(samples, { minScore: 0.5, model: 'teacher' }).counts).toMatchObject({ exported: 1, duplicate: 1, otherModel: 1 });
  });

  it('exports tools and tool-calling turns, text parts joined, and leaves out what is not a text chat', () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    const toolChat = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Find order' }, { type: 'text', text: '42' }], cache_control: { type: 'ephemeral' } },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"id":42}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'shipped' },
      ],
      tools,
    };
    const { lines, counts } = chatJsonlLines(
      [
        sample(toolChat, 'Order 42 has shipped.', [{ score: 1 }]),
        sample(ask([{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }]), 'a cat', [{ score: 1 }]),
        sample(ask('call a tool'), '', [{ score: 1 }]),
        { ...sample(ask('x'), 'y', [{ score: 1 }]), requestJson: '{not json' },
      ],
      { minScore: 0.5 },
    );
    expect(counts).toMatchObject({ exported: 1, notText: 3 });
    const example = JSON.parse(lines[0]);
    expect(example).toEqual({
      messages: [
        { role: 'user', content: 'Find order\n42' },
        { role: 'assistant', content: null, tool_calls: toolChat.messages[1].tool_calls },
        { role: 'tool', tool_call_id: 'call_1', content: 'shipped' },
        { role: 'assistant', content: 'Order 42 has shipped.' },
      ],
      tools,
    });
    expect(fineTuningErrors(example)).toEqual([]);
  });
});
