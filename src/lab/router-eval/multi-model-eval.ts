import { FrugalError } from '../../errors/frugal-error.js';
import { DEFAULT_HASHING, vectorizePrompt } from '../../routing/classifier/hashed-features.js';
import type { PromptFeatures } from '../../routing/classifier/prompt-features.js';
import { crossValidatedScores, probabilityOfLabel, type CrossValidationOptions } from './pair-routers.js';
import { DEFAULT_STRONG_MODEL, type RoutingDataset } from './routing-dataset.js';

/**
 * Routing over many models (RouterBench): per model, a held-out P(correct | prompt); per prompt, pick the
 * model maximising P(correct) − λ · expected cost. Sweeping λ traces the cost–quality frontier; a mix of two
 * neighbouring λ (a randomised policy) reaches any quality between them at the interpolated cost.
 */

export interface MultiModelPoint {
  lambda: number;
  quality: number;
  /** Total nano-USD over all prompts, from the file's real per-prompt costs. */
  cost: number;
}

export interface MultiModelTarget {
  quality: number;
  cost: number;
  costCut: number;
}

export interface SingleModelResult {
  model: string;
  quality: number;
  cost: number;
}

export interface MultiModelReport {
  reference: string;
  referenceQuality: number;
  referenceCost: number;
  qualityShare: number;
  singles: SingleModelResult[];
  router: { points: MultiModelPoint[]; atTarget: MultiModelTarget | null };
  oracle: { quality: number; cost: number };
}

/** λ in units of "quality per reference-model call": 0 = best predicted model regardless of price. */
const LAMBDAS = [0, ...Array.from({ length: 81 }, (_value, index) => 10 ** (-3 + index * 0.05))];

function rowCost(dataset: RoutingDataset, row: number, model: string): number {
  return dataset.rows[row].costNanoUsd?.[model] ?? 0;
}

/** Held-out P(correct) per model and prompt (K-fold per model). */
export function crossValidatedCorrectness(
  features: readonly PromptFeatures[],
  dataset: RoutingDataset,
  options: CrossValidationOptions,
): Map<string, Float64Array> {
  const hashing = options.training?.hashing ?? DEFAULT_HASHING;
  const vectors = features.map((feature) => vectorizePrompt(feature, hashing));
  const result = new Map<string, Float64Array>();
  for (const [index, model] of dataset.models.entries()) {
    const labels = dataset.rows.map((row) => (row.quality[model] >= 0.5 ? 'correct' : 'wrong'));
    const distinct = new Set(labels);
    // A model that is always right (or always wrong) needs no classifier.
    result.set(
      model,
      distinct.size < 2 ? new Float64Array(labels.length).fill(distinct.has('correct') ? 1 : 0) : crossValidatedScores(vectors, labels, probabilityOfLabel('correct'), { ...options, stage: `${model} (model ${index + 1}/${dataset.models.length}), ${options.folds}-fold CV` }),
    );
  }
  return result;
}

/** The cheapest point, vertex or mix of two points, with quality ≥ target. */
export function cheapestMix(points: ReadonlyArray<{ quality: number; cost: number }>, target: number, referenceCost: number): MultiModelTarget | null {
  let best: MultiModelTarget | null = null;
  const consider = (quality: number, cost: number) => {
    if (best === null || cost < best.cost) best = { quality, cost, costCut: 1 - cost / referenceCost };
  };
  for (const high of points) {
    if (high.quality < target) continue;
    consider(high.quality, high.cost);
    for (const low of points) {
      if (low.quality >= target) continue;
      const share = (target - low.quality) / (high.quality - low.quality);
      consider(target, low.cost + share * (high.cost - low.cost));
    }
  }
  return best;
}

export interface MultiModelOptions {
  reference?: string;
  qualityShare?: number;
}

/**
 * @example
 * const probabilities = crossValidatedCorrectness(features, dataset, { folds: 5, random });
 * const report = evaluateMultiModel(dataset, probabilities);
 */
export function evaluateMultiModel(
  dataset: RoutingDataset,
  correctness: ReadonlyMap<string, Float64Array>,
  options: MultiModelOptions = {},
): MultiModelReport {
  if (dataset.format !== 'models') throw new FrugalError('invalid_request', 'multi-model evaluation needs per-model costs (RouterBench "models" format)');
  const reference = options.reference ?? DEFAULT_STRONG_MODEL;
  if (!dataset.models.includes(reference)) throw new FrugalError('invalid_request', `reference model "${reference}" is not in the data`);
  const qualityShare = options.qualityShare ?? 0.95;
  const prompts = dataset.rows.length;
  const singles = dataset.models.map((model) => {
    let quality = 0;
    let cost = 0;
    dataset.rows.forEach((row, index) => {
      quality += row.quality[model];
      cost += rowCost(dataset, index, model);
    });
    return { model, quality: quality / prompts, cost };
  });
  const referenceResult = singles.find((single) => single.model === reference) ?? singles[0];
  // The router cannot know a prompt's cost before the call: it uses each model's mean cost (≈ list price × length).
  const expectedCost = new Map(singles.map((single) => [single.model, single.cost / prompts / (referenceResult.cost / prompts)]));
  const points = LAMBDAS.map((lambda) => {
    let quality = 0;
    let cost = 0;
    for (let index = 0; index < prompts; index += 1) {
      let chosen = dataset.models[0];
      let bestValue = -Infinity;
      for (const model of dataset.models) {
        const value = (correctness.get(model)?.[index] ?? 0) - lambda * (expectedCost.get(model) ?? 0);
        if (value > bestValue) {
          bestValue = value;
          chosen = model;
        }
      }
      quality += dataset.rows[index].quality[chosen];
      cost += rowCost(dataset, index, chosen);
    }
    return { lambda, quality: quality / prompts, cost };
  });
  let oracleQuality = 0;
  let oracleCost = 0;
  dataset.rows.forEach((row, index) => {
    // Cheapest among the best-scoring models on this prompt.
    const top = Math.max(...dataset.models.map((model) => row.quality[model]));
    const cheapest = Math.min(...dataset.models.filter((model) => row.quality[model] === top).map((model) => rowCost(dataset, index, model)));
    oracleQuality += top;
    oracleCost += cheapest;
  });
  return {
    reference,
    referenceQuality: referenceResult.quality,
    referenceCost: referenceResult.cost,
    qualityShare,
    singles: singles.sort((a, b) => b.cost - a.cost),
    // Mixing with "always model m" is allowed too: routing some traffic straight to the reference is a policy.
    router: { points, atTarget: cheapestMix([...points, ...singles], qualityShare * referenceResult.quality, referenceResult.cost) },
    oracle: { quality: oracleQuality / prompts, cost: oracleCost },
  };
}

const usd = (nano: number) => `$${(nano / 1e9).toFixed(3)}`;
const share = (value: number) => `${(value * 100).toFixed(1)}%`;

export function formatMultiModelReport(report: MultiModelReport, prompts: number, folds: number): string {
  const target = `${Math.round(report.qualityShare * 100)}%`;
  const rows = [
    ...report.singles.map((single) => [`always ${single.model}`, share(single.quality), usd(single.cost), share(1 - single.cost / report.referenceCost)]),
    report.router.atTarget === null
      ? [`linear per-model router (${folds}-fold CV) @${target}`, 'unreachable', '—', '—']
      : [
          `linear per-model router (${folds}-fold CV) @${target}`,
          share(report.router.atTarget.quality),
          usd(report.router.atTarget.cost),
          share(report.router.atTarget.costCut),
        ],
    ['oracle (cheapest right model)', share(report.oracle.quality), usd(report.oracle.cost), share(1 - report.oracle.cost / report.referenceCost)],
  ];
  const header = ['policy', 'quality', `cost for ${prompts} prompts`, `cost cut vs ${report.reference}`];
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `multi-model: each prompt goes to argmax P(correct) − λ·(mean cost / mean ${report.reference} cost); λ swept, neighbours mixed`,
    `target: ${target} of ${report.reference} quality = ${share(report.qualityShare * report.referenceQuality)}; real per-prompt cost_usd`,
    '',
    line(header),
    line(header.map((_cell, index) => (index === 0 ? '---' : '---:'))),
    ...rows.map(line),
  ].join('\n');
}
