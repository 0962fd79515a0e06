import { describe, expect, it } from 'vitest';
import { cheapestMix, evaluateMultiModel } from './multi-model-eval.js';
import { parseRoutingDataset } from './routing-dataset.js';

/** big is always right at $100 a prompt; mid is right on p0 at $10; small on p1 at $1 (costs in USD × 1e-9). */
const dataset = parseRoutingDataset(
  [
    { id: 'p0', prompt: 'first', models: { big: [1, 100], mid: [1, 10], small: [0, 1] } },
    { id: 'p1', prompt: 'second', models: { big: [1, 100], mid: [0, 10], small: [1, 1] } },
  ]
    .map((row) =>
      JSON.stringify({
        id: row.id,
        prompt: row.prompt,
        models: Object.fromEntries(Object.entries(row.models).map(([model, [correct, nano]]) => [model, { correct, cost_usd: nano / 1e9 }])),
      }),
    )
    .join('\n'),
);

describe('cheapestMix', () => {
  it('mixes the two policies around the target', () => {
    // 0.95 is 90% of the way from 0.5 to 1: 2 + 0.9 · 198.
    expect(cheapestMix([{ quality: 0.5, cost: 2 }, { quality: 1, cost: 200 }], 0.95, 200)).toEqual({ quality: 0.95, cost: 180.2, costCut: 1 - 180.2 / 200 });
  });

  it('returns null when no policy reaches the target', () => {
    expect(cheapestMix([{ quality: 0.5, cost: 2 }], 0.95, 200)).toBeNull();
  });
});

describe('evaluateMultiModel', () => {
  const perfect = new Map([
    ['big', Float64Array.from([1, 1])],
    ['mid', Float64Array.from([1, 0])],
    ['small', Float64Array.from([0, 1])],
  ]);
  const report = evaluateMultiModel(dataset, perfect, { reference: 'big' });

  it('reports each model alone', () => {
    expect(report.singles).toEqual([
      { model: 'big', quality: 1, cost: 200 },
      { model: 'mid', quality: 0.5, cost: 20 },
      { model: 'small', quality: 0.5, cost: 2 },
    ]);
  });

  it('gives the oracle the cheapest correct model per prompt', () => {
    expect(report.oracle).toEqual({ quality: 1, cost: 11 });
  });

  it('with perfect predictions, a small price weight finds the oracle’s choices', () => {
    expect(report.router.points.some((point) => point.quality === 1 && point.cost === 11)).toBe(true);
    // And 95% is cheaper still: 90% of traffic on the oracle's choices, 10% always on small: 2 + 0.9 · 9.
    expect(report.router.atTarget?.quality).toBeCloseTo(0.95, 12);
    expect(report.router.atTarget?.cost).toBeCloseTo(10.1, 10);
    expect(report.router.atTarget?.costCut).toBeCloseTo(1 - 10.1 / 200, 12);
    // λ = 0 ignores price: ties between right models go to the first listed, big.
    expect(report.router.points[0]).toEqual({ lambda: 0, quality: 1, cost: 200 });
  });

  it('needs per-model costs', () => {
    const outcomes = parseRoutingDataset('{"id":"a","prompt":"p","outcomes":{"big":1,"small":0}}');
    expect(() => evaluateMultiModel(outcomes, perfect)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
