import { describe, expect, it } from 'vitest';
import type { UnitKind } from './context-units.js';
import { selectUnits, type SelectableUnit } from './select-units.js';

const unit = (kind: UnitKind, section: number, tokens: number): SelectableUnit => ({ kind, section, tokens });

describe('selectUnits', () => {
  it('takes the best units that fit the budget and skips one that does not', () => {
    const units = [unit('sentence', 0, 10), unit('sentence', 1, 50), unit('sentence', 2, 10), unit('sentence', 3, 10)];
    const selection = selectUnits({ units, scores: [0.9, 0.8, 0.1, 0.5], must: units.map(() => false), budget: 25, neighbourHits: 0 });
    expect(selection.keep).toEqual([true, false, false, true]);
    expect(selection.tokens).toBe(20);
  });

  it('keeps must units and the single best unit even over budget', () => {
    const units = [unit('code', 0, 40), unit('sentence', 1, 30), unit('sentence', 2, 5)];
    const selection = selectUnits({ units, scores: [0, 1, 0.2], must: [true, false, false], budget: 10, neighbourHits: 0 });
    expect(selection.keep).toEqual([true, true, false]);
    expect(selection.tokens).toBe(70);
  });

  it('keeps and pays for a header with the first kept unit of its section only', () => {
    const units = [unit('header', 0, 4), unit('sentence', 0, 10), unit('sentence', 0, 10), unit('header', 1, 4), unit('sentence', 1, 10)];
    const selection = selectUnits({ units, scores: [0, 1, 0.9, 0, 0], must: units.map(() => false), budget: 24, neighbourHits: 0 });
    expect(selection.keep).toEqual([true, true, true, false, false]);
    expect(selection.tokens).toBe(24);
  });

  it('brings the neighbours of a top hit ahead of better-scored units elsewhere', () => {
    const units = [unit('sentence', 0, 10), unit('sentence', 0, 10), unit('sentence', 0, 10), unit('sentence', 1, 10)];
    const scores = [0, 1, 0, 0.5];
    const withNeighbours = selectUnits({ units, scores, must: units.map(() => false), budget: 30, neighbourHits: 1 });
    expect(withNeighbours.keep).toEqual([true, true, true, false]);
    const without = selectUnits({ units, scores, must: units.map(() => false), budget: 30, neighbourHits: 0 });
    expect(without.keep).toEqual([true, true, false, true]);
  });

  it('never pulls a neighbour from another section', () => {
    const units = [unit('sentence', 0, 10), unit('sentence', 1, 10), unit('sentence', 2, 10), unit('sentence', 3, 10)];
    const selection = selectUnits({ units, scores: [0, 1, 0, 0.5], must: units.map(() => false), budget: 20, neighbourHits: 1 });
    expect(selection.keep).toEqual([false, true, false, true]);
  });
});
