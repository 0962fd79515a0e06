import { describe, expect, it } from 'vitest';
import { promptFeatures } from './pair-routers.js';
import { agreementRouteHeldOut, evaluateCascades } from './cascade-routers.js';
import { parseRoutingDataset, type RoutingDataset } from './routing-dataset.js';

const STRONG = 'gpt-4-1106-preview';

/**
 * 100 multiple-choice prompts. `a` and `b` are cheap and right on the same 80 rows; where they are wrong they
 * pick different letters, so disagreement marks exactly the rows worth escalating. `c` is cheap and always wrong.
 */
function quizFile(): RoutingDataset {
  const lines = Array.from({ length: 100 }, (_value, index) => {
    const hard = index % 5 === 0;
    const model = (response: string, correct: number, cost: number) => ({ response, correct, cost_usd: cost });
    return JSON.stringify({
      id: `q${index}`,
      dataset: 'quiz',
      prompt: `Question ${index}: which letter?\nA) one\nB) two\nAnswer:`,
      models: {
        [STRONG]: model('A', 1, 0.01),
        a: model(hard ? 'B' : 'A', hard ? 0 : 1, 0.0001),
        b: model(hard ? 'C' : 'A', hard ? 0 : 1, 0.0002),
        c: model('D', 0, 0.00005),
      },
    });
  });
  return parseRoutingDataset(lines.join('\n'), 'quiz.jsonl');
}

describe('agreementRouteHeldOut', () => {
  it('picks the two best cheap models on the training folds and escalates exactly their disagreements', () => {
    const dataset = quizFile();
    const result = agreementRouteHeldOut(dataset, { strong: STRONG, folds: 5, seed: 1, qualityShare: 0.95, features: promptFeatures(dataset.rows.map((row) => row.prompt)) });
    expect(result.note).toBe('picked: a + b, code: a');
    expect(result.ofStrong).toBe(1);
    expect(result.escalationRate).toBeCloseTo(0.2, 12);
    // Every row pays a and b; the 20 disagreements also pay the strong model.
    expect(result.costCut).toBeCloseTo(1 - (100 * 0.0003 + 20 * 0.01) / (100 * 0.01), 9);
    expect(result.reached).toBe(true);
  });
});

describe('evaluateCascades', () => {
  it('replays the weak model through the answer checks and reports nothing for a file without answers', () => {
    const dataset = quizFile();
    const features = promptFeatures(dataset.rows.map((row) => row.prompt));
    const results = evaluateCascades(dataset, { strong: STRONG, weak: 'a', folds: 5, seed: 1, qualityShare: 0.95, features });
    expect(results.map((result) => result.router)).toEqual([`cascade a → ${STRONG}`, 'linear (5-fold CV) → cascade', 'agreement (models picked on 4 folds)']);
    // a always states an answer and has no working to check: the checks never escalate, so it serves every row.
    expect(results[0].ofStrong).toBe(0.8);
    expect(results[0].escalationRate).toBe(0);
    expect(results[0].reached).toBe(false);
    // c is always wrong: no prompt for a router to learn from, so only the cascade and the agreement route are shown.
    expect(evaluateCascades(dataset, { strong: STRONG, weak: 'c', folds: 5, seed: 1, qualityShare: 0.95, features }).map((result) => result.router)).toEqual([
      `cascade c → ${STRONG}`,
      'agreement (models picked on 4 folds)',
    ]);
    const outcomes = parseRoutingDataset(JSON.stringify({ id: 'o', prompt: 'p', outcomes: { [STRONG]: 1, w: 0 } }), 'o.jsonl');
    expect(evaluateCascades(outcomes, { strong: STRONG, weak: 'w', folds: 2, seed: 1, qualityShare: 0.95, features: promptFeatures(['p']) })).toEqual([]);
  });
});
