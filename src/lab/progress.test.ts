import { describe, expect, it } from 'vitest';
import { mapWithProgress, stageOfJobs, type Progress } from './progress.js';
import { evaluatePairRouters, pairEvaluationJson } from './router-eval/evaluate-pair-routers.js';
import { parseRoutingDataset } from './router-eval/routing-dataset.js';
import { fitWithHoldOut } from './router-training/hold-out-training.js';
import { promptFeatures } from './router-eval/pair-routers.js';
import { createSeededRandom } from '../routing/seeded-random.js';
import { createOfflineEmbedder } from '../cache/semantic/offline-embedder.js';
import { evaluatePairs } from './cache-eval/cache-eval.js';
import { runCompressEval } from './compress-eval/compress-eval.js';

function routingText(rows: number): string {
  const lines: string[] = [];
  for (let index = 0; index < rows; index += 1) {
    const hard = index % 4 === 0;
    const prompt = hard ? `Prove the theorem about lattice ${index}` : `Name a colour of fruit ${index}`;
    lines.push(JSON.stringify({ id: `row.${index}`, prompt, outcomes: { strong: 1, weak: hard ? 0 : 1 } }));
  }
  return lines.join('\n');
}

/** Every report, and per stage: counts never go back, and the stage ends at its total. */
function recorder() {
  const seen: Progress[] = [];
  const stages = () => [...new Set(seen.map((progress) => progress.stage))];
  const check = () => {
    for (const stage of stages()) {
      const reports = seen.filter((progress) => progress.stage === stage);
      for (let index = 1; index < reports.length; index += 1) expect(reports[index].done).toBeGreaterThanOrEqual(reports[index - 1].done);
      expect(reports.at(-1)!.done).toBe(reports.at(-1)!.total);
    }
  };
  return { seen, stages, check, onProgress: (progress: Progress) => seen.push(progress) };
}

describe('progress helpers', () => {
  it('reports jobs run one after another as one count', () => {
    const seen: string[] = [];
    const step = stageOfJobs((progress) => seen.push(`${progress.stage} ${progress.done}/${progress.total}`), 'training', [3, 5]);
    step(0)!(2, 3);
    step(0)!(3, 3);
    step(1)!(5, 5);
    expect(seen).toEqual(['training 2/8', 'training 3/8', 'training 8/8']);
    expect(stageOfJobs(undefined, 'training', [3])(0)).toBeUndefined();
  });

  it('maps with a report before the first item and after each', () => {
    const seen: number[] = [];
    expect(mapWithProgress([1, 2, 3], (value) => value * 2, (progress) => seen.push(progress.done), 'doubling')).toEqual([2, 4, 6]);
    expect(seen).toEqual([0, 1, 2, 3]);
  });
});

describe('lab functions with onProgress', () => {
  it('router eval reports reading and cross-validation to the end, and its numbers do not change', () => {
    const dataset = parseRoutingDataset(routingText(200), 'synthetic');
    const progress = recorder();
    const options = { routers: ['rules', 'linear'] as const, folds: 3, strong: 'strong', weak: 'weak' };
    const withProgress = evaluatePairRouters(dataset, { ...options, onProgress: progress.onProgress });
    expect(progress.stages()).toEqual(['reading the prompts', 'linear router, 3-fold CV']);
    progress.check();
    // Three folds of four epochs over the other two thirds: 4 × 2 × 200 example passes.
    expect(progress.seen.at(-1)).toMatchObject({ done: 1_600, total: 1_600 });
    expect(pairEvaluationJson(withProgress)).toEqual(pairEvaluationJson(evaluatePairRouters(dataset, options)));
  });

  it('router train reports both fits as one stage', () => {
    const rows = promptFeatures(['Prove it', 'Name a colour', 'Prove that', 'Name a fruit', 'Prove this', 'Name a tree', 'Prove more', 'Name a bird', 'Prove all', 'Name a fish']).map(
      (features, index) => ({ features, label: index % 2 === 0 ? 'hard' : 'easy' }),
    );
    const progress = recorder();
    fitWithHoldOut(rows, { random: createSeededRandom(1), onProgress: progress.onProgress });
    expect(progress.stages()).toEqual(['training (the held-out fit, then the full fit)']);
    progress.check();
    // 4 epochs over the 8 training examples, then over all 10.
    expect(progress.seen.at(-1)).toMatchObject({ done: 72, total: 72 });
  });

  it('cache eval reports the texts it embeds, compress eval the cases it compresses', async () => {
    const embedding = recorder();
    const pairs = [
      { a: 'How do I reset my password?', b: 'How can I reset my password?', positive: true },
      { a: 'How do I reset my password?', b: 'What is the capital of France?', positive: false },
    ];
    await evaluatePairs(pairs, createOfflineEmbedder(), 0.9, undefined, embedding.onProgress);
    expect(embedding.stages()).toEqual(['embedding']);
    embedding.check();
    // Three distinct texts, each embedded once.
    expect(embedding.seen.at(-1)).toMatchObject({ done: 3, total: 3, unit: 'texts' });

    const compressing = recorder();
    const item = { id: 'a', messages: [{ role: 'user' as const, content: 'The code word is heliotrope. What is the code word?' }], check: () => ({ retained: true }) };
    runCompressEval([item, { ...item, id: 'b' }], { method: 'lossless', ratio: 2, onProgress: compressing.onProgress });
    expect(compressing.stages()).toEqual(['lossless']);
    compressing.check();
    expect(compressing.seen.map((progress) => progress.done)).toEqual([0, 1, 2]);
  });
});
