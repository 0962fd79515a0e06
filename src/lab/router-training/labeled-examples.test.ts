import { describe, expect, it } from 'vitest';
import { parseLabeledExamples } from './labeled-examples.js';

describe('parseLabeledExamples', () => {
  it('reads prompt lines and messages lines, skipping blank lines', () => {
    const examples = parseLabeledExamples(
      ['{"prompt":"Translate: hi","label":"translate"}', '', '{"messages":[{"role":"user","content":"2+2?"}],"label":"weak"}'].join('\n'),
    );
    expect(examples).toEqual([
      { messages: [{ role: 'user', content: 'Translate: hi' }], label: 'translate' },
      { messages: [{ role: 'user', content: '2+2?' }], label: 'weak' },
    ]);
  });

  it('names the file and line of a bad row', () => {
    expect(() => parseLabeledExamples('{"prompt":"ok","label":"a"}\n{"prompt":"no label"}', 'train.jsonl')).toThrow(/train\.jsonl:2/);
    expect(() => parseLabeledExamples('{"prompt":', 'train.jsonl')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
  });
});
