import { DEFAULT_HASHING, vectorizePrompt } from '../../routing/classifier/hashed-features.js';
import { predictVector, type LinearModel } from '../../routing/classifier/linear-model.js';
import type { PromptFeatures } from '../../routing/classifier/prompt-features.js';
import { stratifiedFolds } from './stratified-folds.js';
import { DEFAULT_TRAINING, trainLinearModel, type TrainLinearModelOptions, type TrainingExample } from './train-linear-model.js';
import { stageOfJobs, type OnProgress } from '../progress.js';

/**
 * What `frugal router train` does: hold out a stratified fifth, report accuracy and a confusion matrix on it,
 * then fit the model it saves on every example (the held-out numbers describe that recipe, not that exact fit).
 */

export interface HeldOutReport {
  labels: string[];
  trainSize: number;
  testSize: number;
  accuracy: number;
  /** Accuracy of always answering the most frequent training label: the number to beat. */
  majorityAccuracy: number;
  /** confusion[true][predicted], label order as `labels`. */
  confusion: number[][];
  /** Held-out example indices and their class probabilities (label order as `labels`). */
  testIndices: number[];
  testProbabilities: Float64Array[];
}

export interface HoldOutOptions {
  random: () => number;
  /** 5 → a fifth held out. */
  folds?: number;
  training?: Omit<TrainLinearModelOptions, 'random' | 'onStep'>;
  onProgress?: OnProgress;
}

function argmax(values: Float64Array): number {
  let best = 0;
  for (let index = 1; index < values.length; index += 1) if (values[index] > values[best]) best = index;
  return best;
}

export function fitWithHoldOut(
  rows: ReadonlyArray<{ features: PromptFeatures; label: string }>,
  options: HoldOutOptions,
): { model: LinearModel; heldOut: HeldOutReport } {
  const hashing = options.training?.hashing ?? DEFAULT_HASHING;
  const examples: TrainingExample[] = rows.map((row) => ({ vector: vectorizePrompt(row.features, hashing), label: row.label }));
  const fold = stratifiedFolds(
    examples.map((example) => example.label),
    options.folds ?? 5,
    options.random,
  );
  const train = examples.filter((_example, index) => fold[index] !== 0);
  const testIndices = examples.flatMap((_example, index) => (fold[index] === 0 ? [index] : []));
  const epochs = options.training?.epochs ?? DEFAULT_TRAINING.epochs;
  const stepOf = stageOfJobs(options.onProgress, 'training (the held-out fit, then the full fit)', [epochs * train.length, epochs * examples.length]);
  const heldOutModel = trainLinearModel(train, { ...options.training, random: options.random, onStep: stepOf(0) });
  const labels = [...new Set(examples.map((example) => example.label))].sort();
  const confusion = labels.map(() => labels.map(() => 0));
  const testProbabilities: Float64Array[] = [];
  let correct = 0;
  for (const index of testIndices) {
    const modelProbabilities = predictVector(heldOutModel, examples[index].vector);
    // A label seen only in the test fold has no column in the held-out model: probability 0.
    const probabilities = Float64Array.from(labels, (label) => {
      const position = heldOutModel.labels.indexOf(label);
      return position === -1 ? 0 : modelProbabilities[position];
    });
    testProbabilities.push(probabilities);
    const predicted = argmax(probabilities);
    const actual = labels.indexOf(examples[index].label);
    confusion[actual][predicted] += 1;
    if (predicted === actual) correct += 1;
  }
  const trainCounts = labels.map((label) => train.filter((example) => example.label === label).length);
  const majority = labels[trainCounts.indexOf(Math.max(...trainCounts))];
  const majorityCorrect = testIndices.filter((index) => examples[index].label === majority).length;
  const model = trainLinearModel(examples, { ...options.training, random: options.random, onStep: stepOf(1) });
  return {
    model,
    heldOut: {
      labels,
      trainSize: train.length,
      testSize: testIndices.length,
      accuracy: testIndices.length === 0 ? 0 : correct / testIndices.length,
      majorityAccuracy: testIndices.length === 0 ? 0 : majorityCorrect / testIndices.length,
      confusion,
      testIndices,
      testProbabilities,
    },
  };
}

/** Rows = true label, columns = predicted. */
export function formatConfusionMatrix(report: Pick<HeldOutReport, 'labels' | 'confusion'>): string {
  const header = ['true \\ predicted', ...report.labels];
  const rows = report.labels.map((label, index) => [label, ...report.confusion[index].map(String)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
