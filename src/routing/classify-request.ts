import { readFileSync } from 'node:fs';
import type { ChatRequest } from '../providers/chat-types.js';
import { linearModelFromJson, predictLabel } from './classifier/linear-model.js';
import { extractPromptFeatures } from './classifier/prompt-features.js';
import { classifyPrompt } from './classifier/rule-classifier.js';
import type { TaskDecision } from './strategies/task-route.js';

/** The built-in rules: task and complexity from prompt features, no model, no I/O. */
export function classifyWithRules(request: ChatRequest): TaskDecision {
  const features = extractPromptFeatures(request.messages, {
    toolsPresent: (request.tools?.length ?? 0) > 0,
    jsonMode: request.response_format !== undefined && request.response_format.type !== 'text',
  });
  const { task, complexity } = classifyPrompt(features);
  return { task, complexity };
}

/** A model trained with `frugal router train`, loaded once at start-up; complexity still comes from the rules. */
export function loadTrainedClassifier(file: string): (request: ChatRequest) => TaskDecision {
  const model = linearModelFromJson(readFileSync(file, 'utf8'));
  return (request) => {
    const features = extractPromptFeatures(request.messages, { toolsPresent: (request.tools?.length ?? 0) > 0 });
    return { task: predictLabel(model, features), complexity: classifyPrompt(features).complexity };
  };
}
