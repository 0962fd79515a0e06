import { DEFAULT_HASHING, type PromptVector } from '../../routing/classifier/hashed-features.js';
import { vectorizePrompt } from '../../routing/classifier/hashed-features.js';
import { predictVector } from '../../routing/classifier/linear-model.js';
import { extractPromptFeatures, userPrompt, type PromptFeatures } from '../../routing/classifier/prompt-features.js';
import { classifyPrompt } from '../../routing/classifier/rule-classifier.js';
import { stratifiedFolds } from '../router-training/stratified-folds.js';
import { DEFAULT_TRAINING, trainLinearModel, type TrainLinearModelOptions } from '../router-training/train-linear-model.js';
import { STRONG_LABEL, TIE_LABEL, WEAK_LABEL, routingScore } from '../../routing/classify-request.js';
import type { PairTable } from './routing-dataset.js';
import { mapWithProgress, stageOfJobs, type OnProgress } from '../progress.js';

/**
 * Routers as score vectors over a file's prompts (higher = send to the strong model), plus the baselines that
 * must be printed next to any learned router: random, prompt length, and the oracle.
 */

export { STRONG_LABEL, TIE_LABEL, WEAK_LABEL };

export function promptFeatures(prompts: readonly string[], onProgress?: OnProgress): PromptFeatures[] {
  return mapWithProgress(prompts, (prompt) => extractPromptFeatures(userPrompt(prompt)), onProgress, 'reading the prompts', 'prompts');
}

/** The rule classifier's complexity: no training, nothing learned from the file. */
export function ruleScores(features: readonly PromptFeatures[]): Float64Array {
  return Float64Array.from(features, (feature) => classifyPrompt(feature).complexity);
}

/** Longer prompt → strong model. */
export function lengthScores(features: readonly PromptFeatures[]): Float64Array {
  return Float64Array.from(features, (feature) => feature.tokens);
}

/** One seeded draw of a random router. */
export function randomScores(count: number, random: () => number): Float64Array {
  return Float64Array.from({ length: count }, () => random());
}

/** All prompts tie, so the curve is the expected value of a random router (the straight line weak → strong). */
export function expectedRandomScores(count: number): Float64Array {
  return new Float64Array(count);
}

/** Knows the outcomes: strong only where it gains, the cheapest gains first; never strong where it loses. */
export function oracleScores(table: PairTable): Float64Array {
  let maxExtra = 1;
  for (let index = 0; index < table.strongCost.length; index += 1) maxExtra = Math.max(maxExtra, table.strongCost[index] - table.weakCost[index]);
  return Float64Array.from(table.strongQuality, (strong, index) => {
    const extra = (table.strongCost[index] - table.weakCost[index]) / maxExtra;
    return strong - table.weakQuality[index] - 1e-3 * extra;
  });
}

/** Who wins on each prompt: the strong model (better there), the weak one, or neither (a tie). */
export function outcomeLabels(table: PairTable): string[] {
  return Array.from(table.strongQuality, (strong, index) => {
    const weak = table.weakQuality[index];
    return strong > weak ? STRONG_LABEL : strong < weak ? WEAK_LABEL : TIE_LABEL;
  });
}

export interface CrossValidationOptions {
  folds: number;
  random: () => number;
  training?: Omit<TrainLinearModelOptions, 'random' | 'onStep'>;
  onProgress?: OnProgress;
  /** The progress stage's name (default: "cross-validating, K folds"). */
  stage?: string;
}

/** A prompt's score from a trained model's labels and its class probabilities for that prompt. */
export type ScoreOf = (labels: readonly string[], probabilities: Float64Array) => number;

/** P(label), 0 when the model never saw that label. */
export const probabilityOfLabel =
  (label: string): ScoreOf =>
  (labels, probabilities) => {
    const index = labels.indexOf(label);
    return index === -1 ? 0 : probabilities[index];
  };

/** Honest held-out scores: prompt i is scored by a model trained on the folds that do not contain it. */
export function crossValidatedScores(vectors: readonly PromptVector[], labels: readonly string[], scoreOf: ScoreOf, options: CrossValidationOptions): Float64Array {
  const fold = stratifiedFolds(labels, options.folds, options.random);
  const scores = new Float64Array(vectors.length);
  const epochs = options.training?.epochs ?? DEFAULT_TRAINING.epochs;
  const foldSizes = Array.from({ length: options.folds }, (_unused, held) => epochs * fold.filter((at) => at !== held).length);
  const stepOf = stageOfJobs(options.onProgress, options.stage ?? `cross-validating, ${options.folds} folds`, foldSizes);
  for (let held = 0; held < options.folds; held += 1) {
    const training = [];
    for (let index = 0; index < vectors.length; index += 1) {
      if (fold[index] !== held) training.push({ vector: vectors[index], label: labels[index] });
    }
    const model = trainLinearModel(training, { ...options.training, random: options.random, onStep: stepOf(held) });
    for (let index = 0; index < vectors.length; index += 1) {
      if (fold[index] === held) scores[index] = scoreOf(model.labels, predictVector(model, vectors[index]));
    }
  }
  return scores;
}

/** The linear router under K-fold cross-validation on the file's own outcomes. */
export function linearRouterScores(features: readonly PromptFeatures[], table: PairTable, options: CrossValidationOptions): Float64Array {
  const hashing = options.training?.hashing ?? DEFAULT_HASHING;
  const vectors = features.map((feature) => vectorizePrompt(feature, hashing));
  return crossValidatedScores(vectors, outcomeLabels(table), routingScore, options);
}
