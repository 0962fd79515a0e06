import { describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import { createSeededRandom } from '../seeded-random.js';
import { linearModelFromJson, linearModelToJson, predictLabel, predictProbabilities, probabilityOf } from './linear-model.js';
import { extractPromptFeatures, userPrompt } from './prompt-features.js';
import { toTrainingExamples, trainLinearModel } from '../../lab/router-training/train-linear-model.js';

// Single-token words (after a space), so that no numeric feature separates the classes by accident.
const ANIMALS = ['cat', 'dog', 'horse', 'rabbit', 'goat', 'mouse', 'hamster', 'donkey'];
const FOODS = ['pizza', 'pasta', 'salad', 'soup', 'bread', 'cheese', 'noodles', 'curry'];
const FRAMES = ['Tell me about the {}.', 'I like the {} a lot', 'Where can I find a {}?', 'My friend bought a {} today'];
const HELD_OUT_FRAME = 'We saw a {} yesterday';

/** Two topics that share no words except the frames: separable by the hashed n-grams alone. */
function syntheticRows(frames = FRAMES) {
  const rows: Array<{ prompt: string; label: string }> = [];
  frames.forEach((frame) => {
    ANIMALS.forEach((word) => rows.push({ prompt: frame.replace('{}', word), label: 'animal' }));
    FOODS.forEach((word) => rows.push({ prompt: frame.replace('{}', word), label: 'food' }));
  });
  return rows;
}

const featuresOf = (prompt: string) => extractPromptFeatures(userPrompt(prompt));

function train(seed: number) {
  const rows = syntheticRows().map((row) => ({ features: featuresOf(row.prompt), label: row.label }));
  return trainLinearModel(toTrainingExamples(rows), { random: createSeededRandom(seed), epochs: 30 });
}

describe('linear model', () => {
  it('learns a separable task and generalises to an unseen frame', () => {
    const model = train(1);
    expect(model.labels).toEqual(['animal', 'food']);
    for (const row of syntheticRows()) expect(predictLabel(model, featuresOf(row.prompt))).toBe(row.label);
    for (const row of syntheticRows([HELD_OUT_FRAME])) expect(predictLabel(model, featuresOf(row.prompt))).toBe(row.label);
  });

  it('gives probabilities that sum to one', () => {
    const probabilities = predictProbabilities(train(1), featuresOf('a dog and some soup'));
    expect(probabilities[0] + probabilities[1]).toBeCloseTo(1, 12);
  });

  it('is deterministic for a seed', () => {
    const first = train(7);
    const second = train(7);
    expect(Buffer.from(first.weights.buffer).equals(Buffer.from(second.weights.buffer))).toBe(true);
  });

  it('round-trips through JSON with the same predictions', () => {
    const model = train(3);
    const restored = linearModelFromJson(linearModelToJson(model));
    expect(restored.labels).toEqual(model.labels);
    for (const prompt of ['Tell me about the horse.', 'I like the bread a lot', 'something else entirely']) {
      expect(probabilityOf(restored, featuresOf(prompt), 'food')).toBeCloseTo(probabilityOf(model, featuresOf(prompt), 'food'), 4);
    }
  });

  it('rejects a file that is not a model', () => {
    expect(() => linearModelFromJson('{"format":"something-else"}')).toThrow(FrugalError);
    expect(() => linearModelFromJson('not json')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
    const tampered = JSON.parse(linearModelToJson(train(1)));
    tampered.numericFeatures = ['renamed'];
    expect(() => linearModelFromJson(JSON.stringify(tampered))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('refuses to train on a single label', () => {
    const rows = [{ features: featuresOf('only one'), label: 'x' }];
    expect(() => trainLinearModel(toTrainingExamples(rows), { random: createSeededRandom(1) })).toThrow(FrugalError);
  });

  it('asks for a label the model knows', () => {
    expect(() => probabilityOf(train(1), featuresOf('dog'), 'strong')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
