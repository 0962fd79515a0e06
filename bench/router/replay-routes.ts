/**
 * Configured routes replayed over the development files (bench/router/routes/<file>.yaml), the way
 * `frugal router eval --route auto --config …` does, plus two held-out variants the CLI cannot express alone:
 * the route's complexity from a linear router cross-validated on the file, and RouterBench's model choice
 * made on four folds and measured on the fifth.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classifyPrompt } from '../../src/routing/classifier/rule-classifier.js';
import { stratifiedFolds } from '../../src/routing/classifier/stratified-folds.js';
import { markdownTable } from '../../src/routing/eval/evaluate-pair-routers.js';
import { linearRouterScores, promptFeatures } from '../../src/routing/eval/pair-routers.js';
import { parseRoutes, readRouteConfig } from '../../src/routing/eval/read-route-config.js';
import { replayRoute, type ReplayPoint, type RouteReplayReport } from '../../src/routing/eval/route-replay.js';
import { DEFAULT_STRONG_MODEL, costLookup, pairTable, type RoutingDataset } from '../../src/routing/eval/routing-dataset.js';
import { createSeededRandom } from '../../src/routing/seeded-random.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const FOLDS = 5;

function row(label: string, report: RouteReplayReport, point: ReplayPoint | null): string[] {
  if (point === null) return [label, '—', '—', '—', '—', 'not reached'];
  return [label, percent(point.quality / report.strongQuality), percent(point.costCut), percent(point.strongCallShare), percent(point.escalationRate), point.threshold === null ? 'as configured' : point.threshold.toFixed(3)];
}

export const REPLAY_HEADER = ['file: route', 'quality of strong', 'cost cut', 'strong calls', 'escalated', 'complex.threshold'];

export async function replayConfiguredRoutes(datasets: ReadonlyMap<string, RoutingDataset>, routesDirectory: string): Promise<string[]> {
  const rows: string[][] = [];
  for (const [file, dataset] of datasets) {
    const config = join(routesDirectory, file.replace(/\.jsonl$/, '.yaml'));
    if (!existsSync(config)) continue;
    const routes = await readRouteConfig(config);
    let complex = false;
    for (const name of routes.keys()) {
      const configured = replayRoute(dataset, { routes, route: name });
      rows.push(row(`${file}: ${name}, as configured`, configured, configured.configured));
      if (configured.sweep.length === 0) continue;
      complex = true;
      rows.push(row(`${file}: ${name}, rules, cheapest @95%`, configured, configured.atTarget));
    }
    if (!complex) continue;
    // The same route with a held-out linear router's score as its complexity (5-fold CV on this file).
    const features = promptFeatures(dataset.rows.map((item) => item.prompt));
    const scores = linearRouterScores(features, pairTable(dataset), { folds: FOLDS, random: createSeededRandom(1) });
    const linear = replayRoute(dataset, { routes, route: 'auto', decide: (route, index) => (route === 'auto' ? { task: classifyPrompt(features[index]).task, complexity: scores[index] } : undefined) });
    rows.push(row(`${file}: auto, linear win/tie/loss (${FOLDS}-fold CV), cheapest @95%`, linear, linear.atTarget));
    const best = [linear.configured, ...linear.sweep].sort((a, b) => b.quality - a.quality || a.cost - b.cost)[0];
    if (linear.atTarget === null) rows.push(row(`${file}: auto, linear, best quality reached`, linear, best));
  }
  return [markdownTable(REPLAY_HEADER, rows)];
}

/**
 * RouterBench's route names three models (a coder, an answering model and a second opinion). Picked on the
 * whole file that is a fit to it, so here the pick is made on 4 folds by a rule — the most accurate models
 * costing under a fifth of the strong one — and the route is measured on the held-out fold.
 */
export function crossValidatedAgreementRoute(dataset: RoutingDataset): string[] {
  const strong = DEFAULT_STRONG_MODEL;
  const costs = costLookup(dataset);
  const features = promptFeatures(dataset.rows.map((item) => item.prompt));
  const isCode = features.map((feature) => classifyPrompt(feature).task === 'code');
  const fold = stratifiedFolds(dataset.rows.map((item) => item.group ?? ''), FOLDS, createSeededRandom(1));
  let quality = 0;
  let strongQuality = 0;
  let cost = 0;
  let strongCost = 0;
  const picks: string[] = [];
  for (let held = 0; held < FOLDS; held += 1) {
    const train = dataset.rows.map((_item, index) => index).filter((index) => fold[index] !== held);
    const test = dataset.rows.map((_item, index) => index).filter((index) => fold[index] === held);
    const meanCost = (model: string) => train.reduce((sum, index) => sum + costs.cost(index, model), 0) / train.length;
    const cheap = dataset.models.filter((model) => model !== strong && meanCost(model) < meanCost(strong) / 5);
    const accuracy = (model: string, code: boolean) => {
      const subset = train.filter((index) => isCode[index] === code);
      return subset.reduce((sum, index) => sum + dataset.rows[index].quality[model], 0) / Math.max(1, subset.length);
    };
    const coder = [...cheap].sort((a, b) => accuracy(b, true) - accuracy(a, true))[0];
    const [answerer, voter] = [...cheap].sort((a, b) => accuracy(b, false) - accuracy(a, false));
    picks.push(`${answerer.split('/').pop()} + ${voter.split('/').pop()}, code ${coder.split('/').pop()}`);
    const routes = parseRoutes(
      {
        auto: { strategy: 'classify', tasks: { code: coder }, default: 'voted' },
        voted: { strategy: 'cascade', tiers: [answerer, strong], checks: ['non_empty', 'answer_stated', { agree: { model: voter } }] },
      },
      'cross-validation',
    );
    const subset: RoutingDataset = { ...dataset, rows: test.map((index) => dataset.rows[index]) };
    const report = replayRoute(subset, { routes, route: 'auto' });
    quality += report.configured.quality * test.length;
    strongQuality += report.strongQuality * test.length;
    cost += report.configured.cost;
    strongCost += report.strongCost;
  }
  return [
    `models picked per fold: ${[...new Set(picks)].join('; ')}`,
    '',
    markdownTable(
      ['route (picked on 4 folds, measured on the 5th)', 'quality of strong', 'cost cut'],
      [['classify (code → coder) → cascade(answerer, agree: voter) → strong', percent(quality / strongQuality), percent(1 - cost / strongCost)]],
    ),
  ];
}
