import { describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import { parseEvalFile } from './pair-files.js';

describe('parseEvalFile', () => {
  it('reads each pair file label: duplicate, paraphrase, and STS-B score ≥ 4', () => {
    expect(parseEvalFile('{"id":"1","a":"x","b":"y","duplicate":true}\n', 'qqp')).toEqual({ kind: 'pairs', labelRule: 'duplicate', pairs: [{ a: 'x', b: 'y', positive: true }] });
    expect(parseEvalFile('{"a":"x","b":"y","paraphrase":false}', 'mrpc')).toMatchObject({ labelRule: 'paraphrase', pairs: [{ positive: false }] });
    const stsb = parseEvalFile('{"a":"x","b":"y","score":4.0}\n{"a":"x","b":"z","score":3.8}\n', 'stsb');
    expect(stsb).toMatchObject({ labelRule: 'score >= 4', pairs: [{ positive: true }, { positive: false }] });
  });

  it('reads contextual cases', () => {
    const line = JSON.stringify({
      id: 'c1',
      kind: 'same-context-repeat',
      cached: { context: [{ role: 'user', content: 'Q1' }, { role: 'assistant', content: 'A1' }], query: 'Q2', response: 'A2' },
      lookup: { context: [{ role: 'user', content: 'Q1' }, { role: 'assistant', content: 'A1' }], query: 'Q2' },
      should_hit: true,
    });
    const parsed = parseEvalFile(line, 'ctx');
    expect(parsed.kind).toBe('contextual');
    expect(parsed.kind === 'contextual' && parsed.cases[0]).toMatchObject({ id: 'c1', kind: 'same-context-repeat', shouldHit: true });
  });

  it('rejects rows it cannot label, naming the line', () => {
    expect(() => parseEvalFile('{"a":"x","b":"y","duplicate":true}\n{"a":"x","b":"y"}', 'f.jsonl')).toThrow(/f\.jsonl:2/);
    expect(() => parseEvalFile('not json', 'f.jsonl')).toThrow(FrugalError);
    expect(() => parseEvalFile('\n', 'f.jsonl')).toThrow(FrugalError);
  });
});
