import { describe, expect, it } from 'vitest';
import { countPromptTokens } from '../../tokens/count-tokens.js';
import type { CompressEvalCase } from './compress-eval-cases.js';
import { formatEvalTable, runCompressEval } from './compress-eval.js';

const filler = Array.from({ length: 30 }, (_, index) => `Filler sentence ${index} is about something unrelated entirely.`).join(' ');

function evalCase(id: string, answer: string): CompressEvalCase {
  const content = `Use the notes.\n\n${filler} The secret code word is ${answer}.\n\nQuestion: what is the secret code word?`;
  return { id, messages: [{ role: 'user', content }], check: (text) => ({ retained: text.includes(answer) }) };
}

describe('runCompressEval', () => {
  it('sums real token counts, measures retention and times each case with the given clock', () => {
    const cases = [evalCase('a', 'heliotrope'), evalCase('b', 'marigold')];
    let clock = 0;
    const report = runCompressEval(cases, { method: 'extractive', ratio: 3, now: () => (clock += 5) });
    const before = cases.reduce((sum, item) => sum + countPromptTokens(item.messages), 0);
    expect(report).toMatchObject({ method: 'extractive', cases: 2, compressed: 2, tokensBefore: before, retention: 1, meanMilliseconds: 5 });
    expect(report.ratio).toBeGreaterThan(2.5);
    expect(report.ratio).toBeCloseTo(report.tokensBefore / report.tokensAfter);
  });

  it('counts a lost answer against retention', () => {
    const losing: CompressEvalCase = { ...evalCase('c', 'heliotrope'), check: () => ({ retained: false }) };
    const report = runCompressEval([evalCase('a', 'heliotrope'), losing], { method: 'lossless', ratio: 2, now: () => 0 });
    expect(report.retention).toBe(0.5);
  });

  it('formats one table row per method', () => {
    const report = runCompressEval([evalCase('a', 'heliotrope')], { method: 'extractive', ratio: 2, now: () => 0 });
    const table = formatEvalTable({ name: 'demo.jsonl', cases: [evalCase('a', 'heliotrope')], note: 'synthetic' }, [report]);
    expect(table.split('\n')[0]).toBe('demo.jsonl: 1 cases (synthetic)');
    expect(table).toMatch(/\| extractive \| 1\/1 \| \d+ \| \d+ \| \d\.\d\d× \| 100\.0% \| 0\.00 \|/);
  });
});
