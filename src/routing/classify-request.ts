import { readFileSync } from 'node:fs';
import type { ChatRequest } from '../providers/chat-types.js';
import { linearModelFromJson, predictProbabilities } from './classifier/linear-model.js';
import { extractPromptFeatures } from './classifier/prompt-features.js';
import { classifyPrompt } from './classifier/rule-classifier.js';
import type { TaskDecision } from './strategies/task-route.js';

/** The label `frugal router train` gives prompts the strong model gets right and the weak one does not. */
export const STRONG_LABEL = 'strong';

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
 * give complexity; a routing model (trained on outcomes, labels strong/weak) gives P(strong needed) as the
 * complexity, so a route's `complex.threshold` is the trained router's threshold.
 */
export function loadTrainedClassifier(file: string): (request: ChatRequest) => TaskDecision {
  const model = linearModelFromJson(readFileSync(file, 'utf8'));
  const strong = model.labels.indexOf(STRONG_LABEL);
  return (request) => {
    const features = extractPromptFeatures(request.messages, { toolsPresent: (request.tools?.length ?? 0) > 0 });
    const probabilities = predictProbabilities(model, features);
    let best = 0;
    for (let label = 1; label < probabilities.length; label += 1) if (probabilities[label] > probabilities[best]) best = label;
    return { task: model.labels[best], complexity: strong === -1 ? classifyPrompt(features).complexity : probabilities[strong] };
  };
}
