import { classifyPrompt } from '../../routing/classifier/rule-classifier.js';
import { stratifiedFolds } from '../router-training/stratified-folds.js';
import type { PromptFeatures } from '../../routing/classifier/prompt-features.js';
import type { CheckSpec, RouteSpec } from '../../routing/route-schema.js';
import { createSeededRandom } from '../../routing/seeded-random.js';
import { linearRouterScores, outcomeLabels } from './pair-routers.js';
import { parseRoutes } from './read-route-config.js';
import { replayRoute, type ReplayPoint, type RouteReplayOptions, type RouteReplayReport } from './route-replay.js';
import { costLookup, pairTable, type RoutingDataset } from './routing-dataset.js';
import type { OnProgress } from '../progress.js';

/**
 * Cascades evaluated next to the prompt routers whenever a file records the models' answers: the answer is
 * what a cascade checks, so these use information no prompt router has. Each is a route the gateway runs as is.
 */

/** The checks for answers that must end in a result, in the order a cascade runs them (cheapest first). */
export const ANSWER_CHECKS: readonly CheckSpec[] = ['non_empty', 'not_refusal', 'answer_stated', 'arithmetic', 'numbers_used'];

export interface CascadeResult {
  router: string;
  /** Quality as a share of the strong model's. */
  ofStrong: number;
  costCut: number;
  strongCallShare: number;
  escalationRate: number;
  /** Whether this point reaches the quality target. */
  reached: boolean;
  /** How the numbers were obtained, printed with them. */
  note: string;
}

export interface CascadeEvaluationOptions {
  strong: string;
  weak: string;
  folds: number;
  seed: number;
  qualityShare: number;
  features: readonly PromptFeatures[];
  /** The linear router's held-out scores when the caller has them already (same folds and seed). */
  linearScores?: ArrayLike<number>;
  onProgress?: OnProgress;
}

const hasAnswers = (dataset: RoutingDataset, model: string) => dataset.rows.every((row) => row.responses?.[model] !== undefined);

function result(router: string, report: RouteReplayReport, point: ReplayPoint, note: string): CascadeResult {
  const ofStrong = point.quality / report.strongQuality;
  return { router, ofStrong, costCut: point.costCut, strongCallShare: point.strongCallShare, escalationRate: point.escalationRate, reached: ofStrong >= report.qualityShare - 1e-12, note };
}

/**
 * @example
 * evaluateCascades(dataset, { strong, weak, folds: 5, seed: 1, qualityShare: 0.95, features }); // [] without recorded answers
 */
export function evaluateCascades(dataset: RoutingDataset, options: CascadeEvaluationOptions): CascadeResult[] {
  const results: CascadeResult[] = [];
  const { strong, weak, qualityShare } = options;
  const withAnswers = hasAnswers(dataset, weak);
  // A file where one model always wins has nothing for a router to learn.
  const learnable = withAnswers && new Set(outcomeLabels(pairTable(dataset, { strong, weak }))).size >= 2;
  const voters = dataset.models.filter((model) => model !== strong && hasAnswers(dataset, model));
  const agreement = dataset.format === 'models' && voters.length >= 2;
  const planned = (withAnswers ? 1 : 0) + (learnable ? 1 : 0) + (agreement ? 1 : 0);
  const progress = () => options.onProgress?.({ stage: 'replaying the cascades', done: results.length, total: planned, unit: 'cascades' });
  if (withAnswers) {
    progress();
    const routes = parseRoutes(
      {
        checked: { strategy: 'cascade', tiers: [weak, strong], checks: ANSWER_CHECKS },
        auto: { strategy: 'classify', tasks: {}, default: 'checked', complex: { threshold: 0.5, target: strong } },
      },
      'built-in cascades',
    );
    const checked = replayRoute(dataset, { routes, route: 'checked', strong, qualityShare });
    results.push(result(`cascade ${weak} → ${strong}`, checked, checked.configured, `checks: ${ANSWER_CHECKS.join(', ')}`));
    progress();
    if (learnable) {
      results.push(linearThenCascade(dataset, routes, options));
      progress();
    }
  }
  if (agreement) {
    results.push(agreementRouteHeldOut(dataset, options));
    progress();
  }
  return results;
}

/** Prompts the held-out linear router scores as hard skip the cheap tier; its threshold is swept over the file. */
function linearThenCascade(dataset: RoutingDataset, routes: ReadonlyMap<string, RouteSpec>, options: CascadeEvaluationOptions): CascadeResult {
  const { strong, weak, qualityShare } = options;
  const scores = options.linearScores ?? linearRouterScores(options.features, pairTable(dataset, { strong, weak }), { folds: options.folds, random: createSeededRandom(options.seed) });
  const { report, best } = replayWithScores(dataset, { routes, route: 'auto', strong, qualityShare }, options.features, scores);
  return result(`linear (${options.folds}-fold CV) → cascade`, report, best, `threshold ${best.threshold?.toFixed(3)}: ${report.atTarget ? 'the cheapest point at the target' : 'the best quality reached'}`);
}

/**
 * A route replayed with `scores` (a held-out router's, one per row) as its complexity instead of its classifier's;
 * the task still comes from the rules. `best` is the cheapest point at the target, else the best quality reached.
 */
export function replayWithScores(
  dataset: RoutingDataset,
  options: Omit<RouteReplayOptions, 'decide'>,
  features: readonly PromptFeatures[],
  scores: ArrayLike<number>,
): { report: RouteReplayReport; best: ReplayPoint } {
  const report = replayRoute(dataset, {
    ...options,
    decide: (route, row) => (route === options.route ? { task: classifyPrompt(features[row]).task, complexity: scores[row] } : undefined),
  });
  const best = report.atTarget ?? [report.configured, ...report.sweep].sort((a, b) => b.quality - a.quality || a.cost - b.cost)[0];
  return { report, best };
}

/**
 * classify (code → a cheap coder) → cascade(cheap answerer, agree: a second cheap model) → strong. The three
 * models are picked on the other folds by a fixed rule — the most accurate models costing under a fifth of the
 * strong one — and measured on the held-out fold, so the choice is not fitted to the prompts it is scored on.
 */
export function agreementRouteHeldOut(dataset: RoutingDataset, options: Pick<CascadeEvaluationOptions, 'strong' | 'folds' | 'seed' | 'features' | 'qualityShare'>): CascadeResult {
  const { strong, folds } = options;
  const costs = costLookup(dataset, { strong });
  const isCode = options.features.map((feature) => classifyPrompt(feature).task === 'code');
  const fold = stratifiedFolds(dataset.rows.map((row) => row.group ?? ''), folds, createSeededRandom(options.seed));
  const totals = { quality: 0, strongQuality: 0, cost: 0, strongCost: 0, strongCalls: 0, escalations: 0 };
  const picks = new Set<string>();
  const indices = dataset.rows.map((_row, index) => index);
  for (let held = 0; held < folds; held += 1) {
    const train = indices.filter((index) => fold[index] !== held);
    const test = indices.filter((index) => fold[index] === held);
    const meanCost = (model: string) => train.reduce((sum, index) => sum + costs.cost(index, model), 0) / train.length;
    const accuracy = (model: string, code: boolean) => {
      const subset = train.filter((index) => isCode[index] === code);
      return subset.reduce((sum, index) => sum + dataset.rows[index].quality[model], 0) / Math.max(1, subset.length);
    };
    const cheap = dataset.models.filter((model) => model !== strong && meanCost(model) < meanCost(strong) / 5 && hasAnswers(dataset, model));
    if (cheap.length < 2) continue;
    const coder = [...cheap].sort((a, b) => accuracy(b, true) - accuracy(a, true))[0];
    const [answerer, voter] = [...cheap].sort((a, b) => accuracy(b, false) - accuracy(a, false));
    picks.add(`${answerer} + ${voter}, code: ${coder}`);
    const routes = parseRoutes(
      {
        auto: { strategy: 'classify', tasks: { code: coder }, default: 'voted' },
        voted: { strategy: 'cascade', tiers: [answerer, strong], checks: ['non_empty', 'answer_stated', { agree: { model: voter } }] },
      },
      'agreement route',
    );
    const report = replayRoute({ ...dataset, rows: test.map((index) => dataset.rows[index]) }, { routes, route: 'auto', strong });
    totals.quality += report.configured.quality * test.length;
    totals.strongQuality += report.strongQuality * test.length;
    totals.cost += report.configured.cost;
    totals.strongCost += report.strongCost;
    totals.strongCalls += report.configured.strongCallShare * test.length;
    totals.escalations += report.configured.escalationRate * test.length;
  }
  const prompts = dataset.rows.length;
  const ofStrong = totals.strongQuality === 0 ? 0 : totals.quality / totals.strongQuality;
  return {
    router: `agreement (models picked on ${folds - 1} folds)`,
    ofStrong,
    costCut: totals.strongCost === 0 ? 0 : 1 - totals.cost / totals.strongCost,
    strongCallShare: totals.strongCalls / prompts,
    escalationRate: totals.escalations / prompts,
    reached: ofStrong >= options.qualityShare - 1e-12,
    note: `picked: ${[...picks].join('; ') || 'no two cheap models with answers'}`,
  };
}
