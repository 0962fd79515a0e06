import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../cache/semantic/embedder.js';
import { createOfflineEmbedder } from '../../cache/semantic/offline-embedder.js';
import { evaluateContextual, evaluatePairs, pairMetrics, thresholdsForPrecision } from './cache-eval.js';
import type { ContextualCase } from './pair-files.js';

describe('pairMetrics', () => {
  it('counts hits at the threshold against the labels', () => {
    const metrics = pairMetrics([0.99, 0.95, 0.9, 0.5], [true, false, true, true], 0.9);
    expect(metrics).toMatchObject({ pairs: 4, positives: 3, truePositives: 2, falsePositives: 1 });
    expect(metrics.precision).toBeCloseTo(2 / 3);
    expect(metrics.recall).toBeCloseTo(2 / 3);
    expect(metrics.f1).toBeCloseTo(2 / 3);
  });

  it('reports precision 1 and recall 0 when nothing is a hit', () => {
    expect(pairMetrics([0.1], [true], 0.9)).toMatchObject({ precision: 1, recall: 0, f1: 0 });
  });
});

describe('thresholdsForPrecision', () => {
  it('finds the lowest threshold reaching each precision', () => {
    // Sorted: 0.99 T, 0.98 T, 0.97 F, 0.96 T, 0.9 F
    const similarities = [0.96, 0.99, 0.9, 0.98, 0.97];
    const labels = [true, true, false, true, false];
    const [p95, p70] = thresholdsForPrecision(similarities, labels, [0.95, 0.7]);
    expect(p95).toEqual({ target: 0.95, threshold: 0.98, precision: 1, recall: 2 / 3 });
    expect(p70).toEqual({ target: 0.7, threshold: 0.96, precision: 0.75, recall: 1 });
  });

  it('says null when no threshold reaches the target', () => {
    expect(thresholdsForPrecision([0.9, 0.8], [false, true], [0.95])[0].threshold).toBeNull();
  });

  it('keeps pairs of equal similarity together', () => {
    const [target] = thresholdsForPrecision([0.9, 0.9, 0.8], [true, false, true], [0.9]);
    expect(target.threshold).toBeNull();
  });
});

describe('evaluatePairs', () => {
  it('embeds both sides and scores them', async () => {
    const result = await evaluatePairs(
      [
        { a: 'How do I reset my password?', b: 'how do I reset my password', positive: true },
        { a: 'What is the capital of France?', b: 'How tall is Mount Everest?', positive: false },
      ],
      createOfflineEmbedder(),
      0.95,
    );
    expect(result).toMatchObject({ pairs: 2, truePositives: 1, falsePositives: 0, precision: 1, recall: 1, threshold: 0.95 });
    expect(result.targets.map((target) => target.target)).toEqual([0.95, 0.99]);
  });

  it('embeds each distinct text once', async () => {
    const seen: string[] = [];
    const embedder: Embedder = { id: 'count', dimensions: 2, embed: async (texts) => (seen.push(...texts), texts.map(() => new Float32Array([1, 0]))) };
    await evaluatePairs([{ a: 'x', b: 'y', positive: true }, { a: 'x', b: 'y', positive: false }, { a: 'y', b: 'x', positive: true }], embedder, 0.9);
    expect(seen.sort()).toEqual(['x', 'y']);
  });
});

describe('evaluateContextual', () => {
  const context = [{ role: 'user' as const, content: 'What is the capital of France?' }, { role: 'assistant' as const, content: 'Paris.' }];
  const other = [{ role: 'user' as const, content: 'Explain a water molecule.' }, { role: 'assistant' as const, content: 'H2O.' }];
  const query = 'What famous landmark can you find in Paris?';
  const cases: ContextualCase[] = [
    { id: '1', kind: 'same-context-repeat', cached: { context, query, response: 'Eiffel Tower' }, lookup: { context, query }, shouldHit: true },
    { id: '2', kind: 'followup-other-context', cached: { context, query, response: 'Eiffel Tower' }, lookup: { context: other, query }, shouldHit: false },
    { id: '3', kind: 'followup-standalone-lookup', cached: { context, query, response: null }, lookup: { context: [], query }, shouldHit: false },
  ];

  it('runs the cases through the semantic cache and reports hit and false-hit rates per kind', async () => {
    const result = await evaluateContextual(cases, createOfflineEmbedder(), 0.95);
    expect(result.kinds).toEqual([
      { kind: 'same-context-repeat', shouldHit: true, cases: 1, hits: 1, rate: 1 },
      { kind: 'followup-other-context', shouldHit: false, cases: 1, hits: 0, rate: 0 },
      { kind: 'followup-standalone-lookup', shouldHit: false, cases: 1, hits: 0, rate: 0 },
    ]);
    expect(result).toMatchObject({ hitRate: 1, falseHitRate: 0, threshold: 0.95 });
  });
});
