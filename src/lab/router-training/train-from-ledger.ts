import { FrugalError } from '../../errors/frugal-error.js';
import type { LinearModel } from '../../routing/classifier/linear-model.js';
import { extractPromptFeatures } from '../../routing/classifier/prompt-features.js';
import { routingScore } from '../../routing/classify-request.js';
import type { TaskDecision } from '../../routing/strategies/task-route.js';
import type { ChatMessage, ChatRequest } from '../../wire/chat-types.js';
import type { OnProgress } from '../progress.js';
import { expectedRandomScores } from '../router-eval/pair-routers.js';
import { selectRows } from '../router-eval/routing-dataset.js';
import { evaluateRouter, summarizePair, type RouterReport } from '../router-eval/router-eval.js';
import { fitWithHoldOut, type HeldOutReport } from './hold-out-training.js';
import type { LedgerOutcomes } from './ledger-outcomes.js';

/**
 * `frugal router train --from-ledger`: fit the linear router on the ledger's outcomes, and say on the held-out
 * prompts whether it routes better than the classifier the route uses now (its trained model file, or the rules).
 * Both are judged on the same held-out prompts by RouteLLM's APGR (area under the share of the quality gap
 * recovered, over the share of calls sent to the strong model).
 */

/** Fewer paired questions than this and a held-out fifth is two or three prompts: no verdict worth printing. */
export const MIN_TRAINING_PROMPTS = 10;

export interface InUseClassifier {
  /** How the report names it: "rules", or "model_file <path>". */
  name: string;
  classify(request: ChatRequest): TaskDecision;
}

export interface LedgerTrainingOptions {
  random: () => number;
  epochs?: number;
  inUse: InUseClassifier;
  /** The quality target of the cost-cut column, as a share of the strong model's. */
  qualityShare?: number;
  onProgress?: OnProgress;
}

export interface LedgerTrainingResult {
  model: LinearModel;
  heldOut: HeldOutReport;
  /** New model, model in use, expected random: on the held-out prompts. */
  reports: { trained: RouterReport; inUse: RouterReport; random: RouterReport };
  /** True: the new model's APGR is higher; false: not; null: the held-out prompts show no gap to route on. */
  beats: boolean | null;
}

export function trainFromLedger(outcomes: LedgerOutcomes, options: LedgerTrainingOptions): LedgerTrainingResult {
  const { prompts } = outcomes;
  const labels = new Set(prompts.map((prompt) => prompt.label));
  if (prompts.length < MIN_TRAINING_PROMPTS || labels.size < 2) {
    throw new FrugalError(
      'invalid_request',
      `only ${prompts.length} question(s) answered by both ${outcomes.strong} and ${outcomes.weak} with scores${labels.size < 2 && prompts.length > 0 ? `, all labelled "${[...labels][0]}"` : ''}; ` +
        `training needs at least ${MIN_TRAINING_PROMPTS} and more than one outcome (strong / weak / tie)`,
    );
  }
  const rows = prompts.map((prompt) => ({
    features: extractPromptFeatures(prompt.request.messages as unknown as ChatMessage[], { toolsPresent: prompt.request.tools !== undefined }),
    label: prompt.label,
  }));
  const { model, heldOut } = fitWithHoldOut(rows, { random: options.random, training: options.epochs === undefined ? undefined : { epochs: options.epochs }, onProgress: options.onProgress });
  const table = selectRows(outcomes.table, heldOut.testIndices);
  const trainedScores = heldOut.testProbabilities.map((probabilities) => routingScore(heldOut.labels, probabilities));
  const inUseScores = heldOut.testIndices.map((index) => {
    const { request } = prompts[index];
    return options.inUse.classify({ model: outcomes.strong, messages: request.messages as unknown as ChatMessage[], ...(request.tools === undefined ? {} : { tools: request.tools as ChatRequest['tools'] }) }).complexity;
  });
  const evaluate = { qualityShare: options.qualityShare };
  const reports = {
    trained: evaluateRouter(table, trainedScores, 'trained (held-out fit)', evaluate),
    inUse: evaluateRouter(table, inUseScores, `in use: ${options.inUse.name}`, evaluate),
    random: evaluateRouter(table, expectedRandomScores(trainedScores.length), 'random (expected)', evaluate),
  };
  const summary = summarizePair(table);
  // Without a gap (the strong model no better on these prompts) there is nothing a router can recover.
  const beats = summary.strongQuality > summary.weakQuality ? reports.trained.apgr > reports.inUse.apgr + 1e-9 : null;
  return { model, heldOut, reports, beats };
}
