import { describe, expect, it } from 'vitest';
import { parsePairwiseVerdict, parseRubricVerdict, winScore } from './judge-verdict.js';

describe('rubric verdicts', () => {
  it.each([
    ['{"score": 0.8, "reason": "mostly right"}', 0.8, 'mostly right'],
    ['Here is my grade:\n```json\n{"score": "0.25", "reason": "misses the point"}\n```', 0.25, 'misses the point'],
    ['{"rating": 7, "explanation": "good"}', 0.7, 'good'],
    ['{"score": 85}', 0.85, null],
    ['{"note": "{not json"} {"score": 1, "reason": "a } brace in \\"quotes\\""}', 1, 'a } brace in "quotes"'],
    ['Score: 6/10 because it is partly wrong', 0.6, null],
  ])('reads %j', (text, score, reason) => {
    expect(parseRubricVerdict(text)).toEqual({ score, reason });
  });

  it.each(['I cannot grade this.', '{"score": -1}', '{"score": 250}', '{"reason": "no score"}', ''])('gives up on %j', (text) => {
    expect(parseRubricVerdict(text)).toBeUndefined();
  });
});

describe('pairwise verdicts', () => {
  it.each([
    ['{"winner": "A", "reason": "correct"}', 'A'],
    ['```json\n{"winner": "answer b"}\n```', 'B'],
    ['{"winner": "Tie"}', 'tie'],
    ['winner: B (it cites the source)', 'B'],
  ])('reads %j', (text, winner) => {
    expect(parsePairwiseVerdict(text)?.winner).toBe(winner);
  });

  it('gives up on a verdict that names no winner', () => {
    expect(parsePairwiseVerdict('{"winner": "neither"}')).toBeUndefined();
    expect(parsePairwiseVerdict('both are fine')).toBeUndefined();
  });

  it('scores a win 1, a tie ½ and a loss 0 from our side', () => {
    expect([winScore('A', 'A'), winScore('tie', 'B'), winScore('A', 'B')]).toEqual([1, 0.5, 0]);
  });
});
