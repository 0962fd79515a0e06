import type { PromptFeatures } from './prompt-features.js';

/**
 * The zero-training classifier: a task for the task map and a complexity score for threshold routing.
 * Weights are hand-set from what is known to trip small models (multi-step math, proofs, code, long inputs,
 * tools, non-English), not fitted to any data set, so they carry no data-set-specific vocabulary.
 */

export const TASKS = ['simple', 'classify', 'chat', 'code', 'summarize', 'translate', 'reasoning', 'extraction'] as const;
export type Task = (typeof TASKS)[number];

export interface PromptClassification {
  task: Task;
  /** 0 = any model will do, 1 = needs the strongest model. */
  complexity: number;
  /** Why, in a few words each, for logs and the `x-frugal-route-reason` header. */
  reasons: string[];
}

const TASK_BASE: Readonly<Record<Task, number>> = {
  simple: 0.05,
  classify: 0.15,
  extraction: 0.25,
  translate: 0.25,
  summarize: 0.3,
  chat: 0.3,
  code: 0.55,
  reasoning: 0.6,
};

// A one-line question with no other signal: below this it is "simple".
const SIMPLE_MAX_TASK_TOKENS = 60;

function isCode(features: PromptFeatures): boolean {
  return (
    features.codeFences > 0 ||
    (features.codeLines >= 3 && features.codeLineRatio >= 0.3) ||
    features.keywords.codeRequest ||
    features.keywords.debug
  );
}

function isMath(features: PromptFeatures): boolean {
  return features.mathSymbols >= 2 || features.mathWords >= 2 || (features.keywords.solve && features.numbers >= 2);
}

function pickTask(features: PromptFeatures, reasons: string[]): Task {
  const { keywords } = features;
  const code = isCode(features);
  if (keywords.translate && !code) return (reasons.push('asks to translate'), 'translate');
  if (code) {
    reasons.push(features.codeFences > 0 ? 'code fence' : features.codeLines >= 3 ? 'code-like lines' : 'asks for code');
    return 'code';
  }
  if (keywords.summarize) return (reasons.push('asks to summarize'), 'summarize');
  if (keywords.extract) return (reasons.push('asks to extract'), 'extraction');
  if (keywords.classify) return (reasons.push('asks to classify'), 'classify');
  if (keywords.prove || keywords.stepByStep || isMath(features)) {
    reasons.push(keywords.prove ? 'asks for a proof' : keywords.stepByStep ? 'asks for steps' : 'math');
    return 'reasoning';
  }
  if (keywords.detailedAnalysis || keywords.explainWhy || keywords.compare) {
    reasons.push('asks for analysis');
    return 'reasoning';
  }
  if (features.userTurns >= 2) return (reasons.push('conversation'), 'chat');
  if (keywords.creative) return (reasons.push('creative writing'), 'chat');
  if (features.taskTokens <= SIMPLE_MAX_TASK_TOKENS && !features.toolsPresent) return (reasons.push('short question'), 'simple');
  return (reasons.push('open request'), 'chat');
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

function complexityOf(task: Task, features: PromptFeatures, reasons: string[]): number {
  const { keywords } = features;
  let score = TASK_BASE[task];
  // Length matters logarithmically: a 3,200-token task adds the most a long input can add.
  const lengthBoost = 0.15 * clamp(Math.log2(Math.max(1, features.taskTokens) / 16) / 8, 0, 1);
  if (lengthBoost >= 0.06) reasons.push(`long task (${features.taskTokens} tokens)`);
  score += lengthBoost;
  // Multi-step arithmetic is where small models fall off first: count operators, math words and quantities.
  const mathBoost = clamp(
    0.04 * Math.min(features.mathSymbols, 5) + 0.03 * Math.min(features.mathWords, 5) + 0.01 * Math.min(features.numbers, 10),
    0,
    0.25,
  );
  if (mathBoost >= 0.05) reasons.push('math density');
  score += mathBoost;
  if (keywords.prove) score += 0.12;
  if (keywords.stepByStep) score += 0.08;
  if (keywords.detailedAnalysis) score += 0.08;
  if (keywords.explainWhy) score += 0.05;
  if (keywords.compare) score += 0.05;
  if (keywords.debug) score += 0.05;
  if (features.codeLines > 20) score += 0.05;
  if (features.toolsPresent) {
    reasons.push('tools');
    score += 0.1;
  }
  if (features.jsonRequested) score += 0.03;
  if (features.nonLatinRatio > 0.3) {
    reasons.push('non-Latin script');
    score += 0.05;
  }
  score += Math.min(0.1, 0.02 * Math.max(0, features.userTurns - 1));
  // Many sentences usually means many constraints to satisfy at once.
  score += Math.min(0.08, 0.01 * Math.max(0, features.sentences - 3));
  if (keywords.brief) {
    reasons.push('short answer asked');
    score -= 0.08;
  }
  return clamp(score, 0, 1);
}

/**
 * @example
 * classifyPrompt(extractPromptFeatures(userPrompt('Write a Python function that parses ISO dates')));
 * // { task: 'code', complexity: 0.6…, reasons: ['asks for code'] }
 */
export function classifyPrompt(features: PromptFeatures): PromptClassification {
  const reasons: string[] = [];
  const task = pickTask(features, reasons);
  const complexity = complexityOf(task, features, reasons);
  return { task, complexity, reasons };
}
