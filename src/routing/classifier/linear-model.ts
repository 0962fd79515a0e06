import { z } from 'zod';
import { FrugalError } from '../../errors/frugal-error.js';
import { NUMERIC_FEATURE_NAMES, vectorizePrompt, type HashingConfig, type PromptVector } from './hashed-features.js';
import type { PromptFeatures } from './prompt-features.js';

/**
 * A multinomial logistic regression over hashed n-grams and numeric prompt features. Small enough to score a
 * prompt in well under a millisecond; trained by `train-linear-model.ts`, stored as JSON next to the config.
 */

export interface LinearModel {
  readonly labels: readonly string[];
  readonly hashing: HashingConfig;
  readonly numericMean: Float64Array;
  /** 1 / standard deviation (0 for a constant feature) as seen in training. */
  readonly numericScale: Float64Array;
  /** Class-major: class c's weight for input j is weights[c * dimension + j]. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

/** Inputs per class: the hashed slots, then the numeric features. */
export function modelDimension(hashing: HashingConfig): number {
  return (1 << hashing.bits) + NUMERIC_FEATURE_NAMES.length;
}

export function standardizedNumeric(model: Pick<LinearModel, 'numericMean' | 'numericScale'>, numeric: Float64Array): Float64Array {
  const out = new Float64Array(numeric.length);
  for (let index = 0; index < numeric.length; index += 1) {
    out[index] = (numeric[index] - model.numericMean[index]) * model.numericScale[index];
  }
  return out;
}

/** Softmax in place; subtracting the max keeps exp() finite for large logits. */
export function softmaxInPlace(logits: Float64Array): Float64Array {
  let max = -Infinity;
  for (const logit of logits) if (logit > max) max = logit;
  let sum = 0;
  for (let index = 0; index < logits.length; index += 1) {
    logits[index] = Math.exp(logits[index] - max);
    sum += logits[index];
  }
  for (let index = 0; index < logits.length; index += 1) logits[index] /= sum;
  return logits;
}

/** Class probabilities, in `model.labels` order, for an already standardised input. */
export function probabilitiesOf(
  model: Pick<LinearModel, 'labels' | 'hashing' | 'weights' | 'bias'>,
  vector: PromptVector,
  standardized: Float64Array,
): Float64Array {
  const dimension = modelDimension(model.hashing);
  const hashedSlots = 1 << model.hashing.bits;
  const logits = new Float64Array(model.labels.length);
  const { indices, values } = vector.hashed;
  for (let label = 0; label < model.labels.length; label += 1) {
    const offset = label * dimension;
    let logit = model.bias[label];
    for (let index = 0; index < indices.length; index += 1) logit += model.weights[offset + indices[index]] * values[index];
    for (let index = 0; index < standardized.length; index += 1) logit += model.weights[offset + hashedSlots + index] * standardized[index];
    logits[label] = logit;
  }
  return softmaxInPlace(logits);
}

export function predictVector(model: LinearModel, vector: PromptVector): Float64Array {
  return probabilitiesOf(model, vector, standardizedNumeric(model, vector.numeric));
}

/**
 * @example
 * const probabilities = predictProbabilities(model, extractPromptFeatures(messages));
 * const strongWins = probabilities[model.labels.indexOf('strong')];
 */
export function predictProbabilities(model: LinearModel, features: PromptFeatures): Float64Array {
  return predictVector(model, vectorizePrompt(features, model.hashing));
}

/** The label with the highest probability (the first of equals). */
export function mostLikelyLabel(labels: readonly string[], probabilities: ArrayLike<number>): string {
  let best = 0;
  for (let index = 1; index < probabilities.length; index += 1) if (probabilities[index] > probabilities[best]) best = index;
  return labels[best];
}

export function predictLabel(model: LinearModel, features: PromptFeatures): string {
  return mostLikelyLabel(model.labels, predictProbabilities(model, features));
}

/** P(label) for one label, e.g. the routing model's P(strong needed). */
export function probabilityOf(model: LinearModel, features: PromptFeatures, label: string): number {
  const index = model.labels.indexOf(label);
  if (index === -1) throw new FrugalError('invalid_request', `the model has no label "${label}" (labels: ${model.labels.join(', ')})`);
  return predictProbabilities(model, features)[index];
}

const MODEL_FORMAT = 'frugal-linear-model';
// Six significant digits: the JSON shrinks by half and scores move by < 1e-5.
const WEIGHT_DIGITS = 6;

const serializedModelSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(1),
  labels: z.array(z.string()).min(2),
  hashing: z.object({
    bits: z.number().int().min(4).max(24),
    wordBigrams: z.boolean(),
    charNgrams: z.array(z.number().int().min(1).max(8)),
  }),
  numericFeatures: z.array(z.string()),
  numericMean: z.array(z.number()),
  numericScale: z.array(z.number()),
  bias: z.array(z.number()),
  weights: z.array(z.object({ indices: z.array(z.number().int().min(0)), values: z.array(z.number()) })),
});

export function linearModelToJson(model: LinearModel): string {
  const dimension = modelDimension(model.hashing);
  const weights = model.labels.map((_label, labelIndex) => {
    const indices: number[] = [];
    const values: number[] = [];
    for (let index = 0; index < dimension; index += 1) {
      const weight = model.weights[labelIndex * dimension + index];
      if (weight !== 0) {
        indices.push(index);
        values.push(Number(weight.toPrecision(WEIGHT_DIGITS)));
      }
    }
    return { indices, values };
  });
  return JSON.stringify({
    format: MODEL_FORMAT,
    version: 1,
    labels: model.labels,
    hashing: model.hashing,
    numericFeatures: NUMERIC_FEATURE_NAMES,
    numericMean: [...model.numericMean],
    numericScale: [...model.numericScale],
    bias: [...model.bias],
    weights,
  });
}

function invalidModel(message: string): FrugalError {
  return new FrugalError('invalid_request', `not a Frugal linear model: ${message}`);
}

export function linearModelFromJson(text: string): LinearModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new FrugalError('invalid_json', 'the model file is not valid JSON', { cause: error });
  }
  const parsed = serializedModelSchema.safeParse(raw);
  if (!parsed.success) throw invalidModel(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  const data = parsed.data;
  // A model trained with other numeric features would silently read the wrong columns.
  if (data.numericFeatures.join(',') !== NUMERIC_FEATURE_NAMES.join(',')) throw invalidModel('its numeric features differ from this version');
  const labelCount = data.labels.length;
  if (data.bias.length !== labelCount || data.weights.length !== labelCount) throw invalidModel('bias/weights do not match the labels');
  if (data.numericMean.length !== NUMERIC_FEATURE_NAMES.length || data.numericScale.length !== NUMERIC_FEATURE_NAMES.length) {
    throw invalidModel('numeric statistics have the wrong length');
  }
  const hashing: HashingConfig = { ...data.hashing, charNgrams: [...data.hashing.charNgrams] };
  const dimension = modelDimension(hashing);
  const weights = new Float64Array(labelCount * dimension);
  data.weights.forEach((row, labelIndex) => {
    if (row.indices.length !== row.values.length) throw invalidModel('a weight row has mismatched indices and values');
    row.indices.forEach((index, position) => {
      if (index >= dimension) throw invalidModel(`weight index ${index} is out of range`);
      weights[labelIndex * dimension + index] = row.values[position];
    });
  });
  return {
    labels: data.labels,
    hashing,
    numericMean: Float64Array.from(data.numericMean),
    numericScale: Float64Array.from(data.numericScale),
    weights,
    bias: Float64Array.from(data.bias),
  };
}
