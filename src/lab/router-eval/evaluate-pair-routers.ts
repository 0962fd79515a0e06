import { vectorizePrompt } from '../../routing/classifier/hashed-features.js';
import { predictVector, type LinearModel } from '../../routing/classifier/linear-model.js';
import type { TrainLinearModelOptions } from '../router-training/train-linear-model.js';
import { routingScore } from '../../routing/classify-request.js';
import { evaluateCascades, type CascadeResult } from './cascade-routers.js';
import { createSeededRandom } from '../../routing/seeded-random.js';
import {
  STRONG_LABEL,
  expectedRandomScores,
  lengthScores,
  linearRouterScores,
  oracleScores,
  promptFeatures,
  randomScores,
  ruleScores,
} from './pair-routers.js';
import { evaluateRouter, summarizePair, type RouterReport } from './router-eval.js';
import { pairTable, type RoutingDataset } from './routing-dataset.js';
import type { OnProgress } from '../progress.js';

/** One call that evaluates the routers under test next to the baselines every report must show. */

export const PAIR_ROUTERS = ['rules', 'linear', 'length', 'random'] as const;
export type PairRouterName = (typeof PAIR_ROUTERS)[number];

export interface PairEvaluationOptions {
  routers: readonly PairRouterName[];
  folds?: number;
  seed?: number;
  strong?: string;
  weak?: string;
  qualityShare?: number;
  /** A routing model trained elsewhere (`frugal router train`): scored as is, no cross-validation. */
  model?: LinearModel;
  training?: Omit<TrainLinearModelOptions, 'random'>;
  /** Also replay the built-in cascades when the file records answers (default true). */
  cascades?: boolean;
  onProgress?: OnProgress;
}

export interface PairEvaluation {
  strong: string;
  weak: string;
  prompts: number;
  strongQuality: number;
  weakQuality: number;
  costUnit: string;
  assumptions: string[];
  qualityShare: number;
  reports: RouterReport[];
  /** Cascades over the recorded answers; empty when the file has none. */
  cascades: CascadeResult[];
}

export const DEFAULT_FOLDS = 5;
export const DEFAULT_SEED = 1;

/**
 * @example
 * const evaluation = evaluatePairRouters(await readRoutingDataset(file), { routers: ['rules', 'linear'] });
 * console.log(formatPairEvaluation(evaluation));
 */
export function evaluatePairRouters(dataset: RoutingDataset, options: PairEvaluationOptions): PairEvaluation {
  const table = pairTable(dataset, { strong: options.strong, weak: options.weak });
  const summary = summarizePair(table);
  const folds = options.folds ?? DEFAULT_FOLDS;
  const seed = options.seed ?? DEFAULT_SEED;
  const qualityShare = options.qualityShare ?? 0.95;
  const features = promptFeatures(dataset.rows.map((row) => row.prompt), options.onProgress);
  const assumptions = [...table.assumptions];
  const scored: Array<[string, ArrayLike<number>]> = [];
  // Computed once: the cascade evaluation puts the same held-out router in front of its cascade.
  let linearScores: Float64Array | undefined;
  for (const router of options.routers) {
    if (router === 'rules') scored.push(['rules (complexity)', ruleScores(features)]);
    if (router === 'length') scored.push(['length', lengthScores(features)]);
    if (router === 'random') scored.push([`random (seed ${seed})`, randomScores(features.length, createSeededRandom(seed))]);
    if (router === 'linear' && options.model !== undefined) {
      const model = options.model;
      if (!model.labels.includes(STRONG_LABEL)) assumptions.push(`the model has no "${STRONG_LABEL}" label: not a routing model`);
      scored.push(['linear (model file)', Float64Array.from(features, (feature) => routingScore(model.labels, predictVector(model, vectorizePrompt(feature, model.hashing))))]);
    }
    if (router === 'linear' && options.model === undefined) {
      linearScores = linearRouterScores(features, table, {
        folds,
        random: createSeededRandom(seed),
        training: options.training,
        onProgress: options.onProgress,
        stage: `linear router, ${folds}-fold CV`,
      });
      scored.push([`linear (${folds}-fold CV)`, linearScores]);
      assumptions.push(`linear: trained on the other ${folds - 1} folds for each prompt (stratified, seed ${seed}); numbers are held-out`);
    }
  }
  scored.push(['random (expected)', expectedRandomScores(features.length)]);
  if (!options.routers.includes('length')) scored.push(['length', lengthScores(features)]);
  scored.push(['oracle', oracleScores(table)]);
  return {
    strong: table.strong,
    weak: table.weak,
    prompts: summary.prompts,
    strongQuality: summary.strongQuality,
    weakQuality: summary.weakQuality,
    costUnit: table.costUnit,
    assumptions,
    qualityShare,
    reports: scored.map(([name, scores]) => evaluateRouter(table, scores, name, { qualityShare })),
    cascades: options.cascades === false ? [] : evaluateCascades(dataset, { strong: table.strong, weak: table.weak, folds, seed, qualityShare, features, linearScores, onProgress: options.onProgress }),
  };
}

const percent = (value: number | null | undefined) => (value === null || value === undefined || Number.isNaN(value) ? '—' : `${(value * 100).toFixed(1)}%`);

/** Rows for a markdown table: one per router. */
export function pairEvaluationRows(evaluation: PairEvaluation): string[][] {
  return evaluation.reports.map((report) => [
    report.router,
    Number.isNaN(report.apgr) ? '—' : report.apgr.toFixed(3),
    percent(report.cpt50),
    percent(report.cpt80),
    percent(report.atTarget?.strongShare),
    percent(report.atTarget?.costCut),
  ]);
}

export const PAIR_EVALUATION_HEADER = ['router', 'APGR', 'CPT(50%)', 'CPT(80%)', 'strong calls @95%', 'cost cut @95%'];

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_cell, index) => (index === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function formatPairEvaluation(evaluation: PairEvaluation): string {
  const target = `${Math.round(evaluation.qualityShare * 100)}%`;
  const header = PAIR_EVALUATION_HEADER.map((title) => title.replace('95%', target));
  return [
    `${evaluation.prompts} prompts; strong ${evaluation.strong} ${percent(evaluation.strongQuality)}, weak ${evaluation.weak} ${percent(evaluation.weakQuality)}`,
    ...evaluation.assumptions.map((assumption) => `assumption: ${assumption}`),
    `@${target}: the cheapest point with quality ≥ ${target} of the strong model's; cost cut vs always calling ${evaluation.strong}`,
    '',
    markdownTable(header, pairEvaluationRows(evaluation)),
    ...cascadeLines(evaluation, target),
  ].join('\n');
}

export function cascadeLines(evaluation: PairEvaluation, target: string): string[] {
  if (evaluation.cascades.length === 0) return [];
  return [
    '',
    `cascades over the answers recorded in the file (checks replayed offline; cost includes every tier and second opinion):`,
    markdownTable(
      ['cascade', 'quality of strong', 'cost cut', 'strong calls', 'escalated', `reaches ${target}`, 'how'],
      evaluation.cascades.map((cascade) => [
        cascade.router,
        percent(cascade.ofStrong),
        percent(cascade.costCut),
        percent(cascade.strongCallShare),
        percent(cascade.escalationRate),
        cascade.reached ? 'yes' : 'no',
        cascade.note,
      ]),
    ),
  ];
}

/** The JSON form: metrics without the full curves (one point per distinct score would be large). */
export function pairEvaluationJson(evaluation: PairEvaluation): unknown {
  return {
    ...evaluation,
    reports: evaluation.reports.map(({ curve: _curve, ...report }) => ({ ...report, apgr: Number.isNaN(report.apgr) ? null : report.apgr })),
  };
}
