import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../routing/seeded-random.js';
import { stratifiedFolds } from './stratified-folds.js';

describe('stratifiedFolds', () => {
  it('spreads every label evenly over the folds', () => {
    const labels = [...Array(10).fill('a'), ...Array(5).fill('b')];
    const folds = stratifiedFolds(labels, 5, createSeededRandom(1));
    for (let fold = 0; fold < 5; fold += 1) {
      const members = labels.filter((_label, index) => folds[index] === fold);
      expect(members.filter((label) => label === 'a')).toHaveLength(2);
      expect(members.filter((label) => label === 'b')).toHaveLength(1);
    }
  });

  it('is reproducible from the seed and changes with it', () => {
    const labels = Array.from({ length: 40 }, (_value, index) => (index % 3 === 0 ? 'x' : 'y'));
    expect(stratifiedFolds(labels, 4, createSeededRandom(9))).toEqual(stratifiedFolds(labels, 4, createSeededRandom(9)));
    expect(stratifiedFolds(labels, 4, createSeededRandom(9))).not.toEqual(stratifiedFolds(labels, 4, createSeededRandom(10)));
  });

  it('rejects fewer than two folds or too few examples', () => {
    expect(() => stratifiedFolds(['a', 'b'], 1, createSeededRandom(1))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => stratifiedFolds(['a', 'b'], 3, createSeededRandom(1))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
