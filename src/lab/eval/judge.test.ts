import { describe, expect, it } from 'vitest';
import { judgePrompt, parseJudgeVerdict } from './judge.js';

describe('parseJudgeVerdict', () => {
  it('reads a score in [0, 1] from JSON, or from a loose "score: x"', () => {
    expect(parseJudgeVerdict('{"score": 0.75, "reason": "mostly right"}', 'score', false)).toEqual({ kind: 'score', score: 0.75, reason: 'mostly right' });
    expect(parseJudgeVerdict('Sure! ```{"score":1}```', 'score', false)).toMatchObject({ score: 1 });
    expect(parseJudgeVerdict('score: 0.5', 'score', false)).toMatchObject({ score: 0.5 });
    expect(parseJudgeVerdict('{"score": 7}', 'score', false)).toBeUndefined();
    expect(parseJudgeVerdict('no idea', 'score', false)).toBeUndefined();
  });

  it('maps A/B back to the candidate, whichever side it was shown on', () => {
    expect(parseJudgeVerdict('{"winner":"A"}', 'pairwise', false)).toMatchObject({ outcome: 'win' });
    expect(parseJudgeVerdict('{"winner":"A"}', 'pairwise', true)).toMatchObject({ outcome: 'loss' });
    expect(parseJudgeVerdict('{"winner":"B"}', 'pairwise', true)).toMatchObject({ outcome: 'win' });
    expect(parseJudgeVerdict('winner: tie', 'pairwise', false)).toMatchObject({ outcome: 'tie' });
    expect(parseJudgeVerdict('{"winner":"C"}', 'pairwise', false)).toBeUndefined();
  });
});

describe('judgePrompt', () => {
  it('shows the candidate first unless swapped, and the reference when grading against one', () => {
    const row = { id: 'r', messages: [{ role: 'user', content: 'Capital of France?' }], expected: 'Paris' };
    const [, pairwise] = judgePrompt(row, 'CANDIDATE', 'BASELINE', false);
    expect(String(pairwise.content).indexOf('CANDIDATE')).toBeLessThan(String(pairwise.content).indexOf('BASELINE'));
    const [, swapped] = judgePrompt(row, 'CANDIDATE', 'BASELINE', true);
    expect(String(swapped.content).indexOf('BASELINE')).toBeLessThan(String(swapped.content).indexOf('CANDIDATE'));
    const [, graded] = judgePrompt(row, 'CANDIDATE', undefined, false);
    expect(String(graded.content)).toContain('Reference answer:\nParis');
  });
});
