import { readFileSync } from 'node:fs';
import type { ChatRequest } from '../wire/chat-types.js';
import { linearModelFromJson, mostLikelyLabel, predictProbabilities } from './classifier/linear-model.js';
import { extractPromptFeatures } from './classifier/prompt-features.js';
import { classifyPrompt } from './classifier/rule-classifier.js';
import type { TaskDecision } from './strategies/task-route.js';

/**
 * Labels `frugal router train` gives a routing file's prompts: the strong model wins (right where the weak one is
 * wrong), the weak one wins, or they tie. Ties are most prompts; keeping them apart from "weak wins" lets the
 * router tell "the strong model would not help" from "the strong model would do worse".
 */
export const STRONG_LABEL = 'strong';
export const WEAK_LABEL = 'weak';
export const TIE_LABEL = 'tie';

/**
 * A routing model's score for a prompt, 0–1: (1 + P(strong wins) − P(weak wins)) / 2. It ranks prompts by the
 * expected gain of the strong model (RouteLLM's win-rate idea), and 0.5 means "no expected difference".
 */
export function routingScore(labels: readonly string[], probabilities: ArrayLike<number>): number {
  const strong = labels.indexOf(STRONG_LABEL);
  const weak = labels.indexOf(WEAK_LABEL);
  return (1 + (strong === -1 ? 0 : probabilities[strong]) - (weak === -1 ? 0 : probabilities[weak])) / 2;
}

/** The built-in rules: task and complexity from prompt features, no model, no I/O. */
export function classifyWithRules(request: ChatRequest): TaskDecision {
  const features = extractPromptFeatures(request.messages, {
    toolsPresent: (request.tools?.length ?? 0) > 0,
    jsonMode: request.response_format !== undefined && request.response_format.type !== 'text',
  });
  const { task, complexity } = classifyPrompt(features);
  return { task, complexity };
}

/**
 * A model trained with `frugal router train`, loaded once at start-up. A task model gives the task and the rules
 * give complexity; a routing model (trained on outcomes: labels strong / weak / tie) gives its routing score as
 * the complexity, so a route's `complex.threshold` is the trained router's threshold.
 */
export function loadTrainedClassifier(file: string): (request: ChatRequest) => TaskDecision {
  const model = linearModelFromJson(readFileSync(file, 'utf8'));
  const strong = model.labels.indexOf(STRONG_LABEL);
  return (request) => {
    const features = extractPromptFeatures(request.messages, { toolsPresent: (request.tools?.length ?? 0) > 0 });
    const probabilities = predictProbabilities(model, features);
    return { task: mostLikelyLabel(model.labels, probabilities), complexity: strong === -1 ? classifyPrompt(features).complexity : routingScore(model.labels, probabilities) };
  };
}
