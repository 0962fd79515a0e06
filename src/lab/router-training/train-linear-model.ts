import { FrugalError } from '../../errors/frugal-error.js';
import { DEFAULT_HASHING, NUMERIC_FEATURE_NAMES, vectorizePrompt, type HashingConfig, type PromptVector } from '../../routing/classifier/hashed-features.js';
import { modelDimension, probabilitiesOf, type LinearModel } from '../../routing/classifier/linear-model.js';
import type { PromptFeatures } from '../../routing/classifier/prompt-features.js';
import type { OnStep } from '../progress.js';

/**
 * Fits a LinearModel with mini-batch Adam and L2. Only the slots a batch touches are updated ("lazy" Adam, as
 * sparse-text trainers do), which keeps an epoch over 10k prompts well under a second.
 * Deterministic: the only randomness is the shuffle, drawn from the `random` passed in.
 */

export interface TrainingExample {
  vector: PromptVector;
  label: string;
}

export interface TrainLinearModelOptions {
  /** Uniform [0, 1) source for shuffling, e.g. createSeededRandom(seed). */
  random: () => number;
  hashing?: HashingConfig;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** L2 penalty per weight; the main guard against memorising the training prompts. */
  l2?: number;
  /** Weight classes by 1/frequency so a rare label ("strong needed") is not ignored. */
  balanceClasses?: boolean;
  /** Called after each batch with examples seen so far (over all epochs) of epochs × examples. */
  onStep?: OnStep;
}

export const DEFAULT_TRAINING = { epochs: 4, batchSize: 32, learningRate: 0.005, l2: 1e-3, balanceClasses: false } as const;

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

export function toTrainingExamples(
  rows: ReadonlyArray<{ features: PromptFeatures; label: string }>,
  hashing: HashingConfig = DEFAULT_HASHING,
): TrainingExample[] {
  return rows.map((row) => ({ vector: vectorizePrompt(row.features, hashing), label: row.label }));
}

function numericStatistics(examples: readonly TrainingExample[]): { mean: Float64Array; scale: Float64Array } {
  const count = NUMERIC_FEATURE_NAMES.length;
  const mean = new Float64Array(count);
  const scale = new Float64Array(count);
  for (const example of examples) for (let index = 0; index < count; index += 1) mean[index] += example.vector.numeric[index];
  for (let index = 0; index < count; index += 1) mean[index] /= examples.length;
  for (const example of examples) {
    for (let index = 0; index < count; index += 1) scale[index] += (example.vector.numeric[index] - mean[index]) ** 2;
  }
  for (let index = 0; index < count; index += 1) {
    const deviation = Math.sqrt(scale[index] / examples.length);
    scale[index] = deviation > 1e-9 ? 1 / deviation : 0;
  }
  return { mean, scale };
}

/** Fisher–Yates with the caller's randomness. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other], items[index]];
  }
  return items;
}

/**
 * @example
 * const model = trainLinearModel(toTrainingExamples(rows), { random: createSeededRandom(7) });
 */
export function trainLinearModel(examples: readonly TrainingExample[], options: TrainLinearModelOptions): LinearModel {
  if (examples.length === 0) throw new FrugalError('invalid_request', 'no training examples');
  const hashing = options.hashing ?? DEFAULT_HASHING;
  const epochs = options.epochs ?? DEFAULT_TRAINING.epochs;
  const batchSize = options.batchSize ?? DEFAULT_TRAINING.batchSize;
  const learningRate = options.learningRate ?? DEFAULT_TRAINING.learningRate;
  const l2 = options.l2 ?? DEFAULT_TRAINING.l2;
  const labels = [...new Set(examples.map((example) => example.label))].sort();
  if (labels.length < 2) throw new FrugalError('invalid_request', `training needs at least two labels, got only "${labels[0]}"`);
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const targets = examples.map((example) => labelIndex.get(example.label) ?? 0);
  const classWeight = new Float64Array(labels.length).fill(1);
  if (options.balanceClasses ?? DEFAULT_TRAINING.balanceClasses) {
    const counts = new Float64Array(labels.length);
    for (const target of targets) counts[target] += 1;
    for (let index = 0; index < labels.length; index += 1) classWeight[index] = examples.length / (labels.length * counts[index]);
  }

  const { mean, scale } = numericStatistics(examples);
  const standardized = examples.map((example) => {
    const out = new Float64Array(example.vector.numeric.length);
    for (let index = 0; index < out.length; index += 1) out[index] = (example.vector.numeric[index] - mean[index]) * scale[index];
    return out;
  });
  const dimension = modelDimension(hashing);
  const hashedSlots = 1 << hashing.bits;
  const classes = labels.length;
  const weights = new Float64Array(classes * dimension);
  const bias = new Float64Array(classes);
  const model = { labels, hashing, weights, bias };
  const moment1 = new Float64Array(classes * dimension);
  const moment2 = new Float64Array(classes * dimension);
  const biasMoment1 = new Float64Array(classes);
  const biasMoment2 = new Float64Array(classes);
  const gradient = new Float64Array(classes * dimension);
  const biasGradient = new Float64Array(classes);
  // touchedAt[j] === step marks slot j as already listed for this batch, without clearing an array per batch.
  const touchedAt = new Int32Array(dimension).fill(-1);
  const touched: number[] = [];
  const order = examples.map((_example, index) => index);
  let step = 0;
  const totalSteps = epochs * examples.length;

  const adam = (value: number, grad: number, first: Float64Array, second: Float64Array, at: number, rate: number): number => {
    first[at] = ADAM_BETA1 * first[at] + (1 - ADAM_BETA1) * grad;
    second[at] = ADAM_BETA2 * second[at] + (1 - ADAM_BETA2) * grad * grad;
    return value - (rate * first[at]) / (Math.sqrt(second[at]) + ADAM_EPSILON);
  };

  for (let epoch = 0; epoch < epochs; epoch += 1) {
    shuffleInPlace(order, options.random);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      step += 1;
      touched.length = 0;
      for (let index = 0; index < NUMERIC_FEATURE_NAMES.length; index += 1) touched.push(hashedSlots + index);
      for (const exampleIndex of batch) {
        const { hashed } = examples[exampleIndex].vector;
        const numeric = standardized[exampleIndex];
        const probabilities = probabilitiesOf(model, examples[exampleIndex].vector, numeric);
        const weight = classWeight[targets[exampleIndex]] / batch.length;
        for (const slot of hashed.indices) {
          if (touchedAt[slot] !== step) {
            touchedAt[slot] = step;
            touched.push(slot);
          }
        }
        for (let label = 0; label < classes; label += 1) {
          const error = (probabilities[label] - (targets[exampleIndex] === label ? 1 : 0)) * weight;
          if (error === 0) continue;
          const offset = label * dimension;
          biasGradient[label] += error;
          for (let index = 0; index < hashed.indices.length; index += 1) gradient[offset + hashed.indices[index]] += error * hashed.values[index];
          for (let index = 0; index < numeric.length; index += 1) gradient[offset + hashedSlots + index] += error * numeric[index];
        }
      }
      // Bias correction folded into the step size, as in the Adam paper's efficient form.
      const rate = (learningRate * Math.sqrt(1 - ADAM_BETA2 ** step)) / (1 - ADAM_BETA1 ** step);
      for (let label = 0; label < classes; label += 1) {
        const offset = label * dimension;
        for (const slot of touched) {
          const at = offset + slot;
          weights[at] = adam(weights[at], gradient[at] + l2 * weights[at], moment1, moment2, at, rate);
          gradient[at] = 0;
        }
        bias[label] = adam(bias[label], biasGradient[label], biasMoment1, biasMoment2, label, rate);
        biasGradient[label] = 0;
      }
      options.onStep?.(epoch * examples.length + start + batch.length, totalSteps);
    }
  }
  return { labels, hashing, numericMean: mean, numericScale: scale, weights, bias };
}
