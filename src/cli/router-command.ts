import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import { formatConfusionMatrix, fitWithHoldOut } from '../lab/router-training/hold-out-training.js';
import { parseJsonLines, parseLabeledExamples } from '../lab/router-training/labeled-examples.js';
import { linearModelFromJson, linearModelToJson } from '../routing/classifier/linear-model.js';
import { extractPromptFeatures, type PromptFeatures } from '../routing/classifier/prompt-features.js';
import {
  DEFAULT_FOLDS,
  DEFAULT_SEED,
  PAIR_ROUTERS,
  evaluatePairRouters,
  formatPairEvaluation,
  markdownTable,
  pairEvaluationJson,
  type PairRouterName,
} from '../lab/router-eval/evaluate-pair-routers.js';
import { STRONG_LABEL, expectedRandomScores, outcomeLabels, promptFeatures } from '../lab/router-eval/pair-routers.js';
import { routingScore } from '../routing/classify-request.js';
import { crossValidatedCorrectness, evaluateMultiModel, formatMultiModelReport } from '../lab/router-eval/multi-model-eval.js';
import { formatRouteReplay, routeReplayJson } from '../lab/router-eval/format-route-replay.js';
import { parseAliases, readRouteConfig } from '../lab/router-eval/read-route-config.js';
import { replayRoute } from '../lab/router-eval/route-replay.js';
import { evaluateRouter } from '../lab/router-eval/router-eval.js';
import { pairTable, parseRoutingDataset, selectRows, type PairTable, type RoutingDataset } from '../lab/router-eval/routing-dataset.js';
import { createSeededRandom } from '../routing/seeded-random.js';
import { mapWithProgress, type OnProgress } from '../lab/progress.js';
import { commandProgress } from './progress-reporter.js';
import { runTrainFromLedger, type LedgerTrainOptions } from './router-train-from-ledger.js';

/** `frugal router train` and `frugal router eval`: fit a routing/task classifier, and measure routers offline. */

function integerOption(name: string, minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum) throw new FrugalError('invalid_request', `--${name} must be an integer ≥ ${minimum}, got "${value}"`);
    return parsed;
  };
}

function shareOption(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && parsed <= 1)) throw new FrugalError('invalid_request', `--quality must be in (0, 1], got "${value}"`);
  return parsed;
}

function routerList(value: string): PairRouterName[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  for (const name of names) {
    if (!(PAIR_ROUTERS as readonly string[]).includes(name)) {
      throw new FrugalError('invalid_request', `unknown router "${name}" (choose from ${PAIR_ROUTERS.join(', ')})`);
    }
  }
  return names as PairRouterName[];
}

interface TrainOptions {
  out: string;
  seed: number;
  strong?: string;
  weak?: string;
  epochs?: number;
}

interface TrainingInput {
  rows: Array<{ features: PromptFeatures; label: string }>;
  /** Present when the file held per-model outcomes: the label is "strong needed". */
  table?: PairTable;
}

function readTrainingInput(text: string, file: string, options: TrainOptions, onProgress?: OnProgress): TrainingInput {
  const first = parseJsonLines(text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')), file)[0]?.value;
  const isRoutingData = typeof first === 'object' && first !== null && ('outcomes' in first || 'models' in first);
  if (!isRoutingData) {
    const examples = parseLabeledExamples(text, file);
    return { rows: mapWithProgress(examples, (example) => ({ features: extractPromptFeatures(example.messages), label: example.label }), onProgress, 'reading the prompts', 'prompts') };
  }
  const dataset = parseRoutingDataset(text, file);
  const table = pairTable(dataset, { strong: options.strong, weak: options.weak });
  const labels = outcomeLabels(table);
  const features = promptFeatures(dataset.rows.map((row) => row.prompt), onProgress);
  return { rows: features.map((feature, index) => ({ features: feature, label: labels[index] })), table };
}

const pct = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`);

/** Runs `work` with the command's progress line, cleared before anything is printed (also when it throws). */
async function withProgress<T>(label: string, json: boolean | undefined, work: (onProgress: OnProgress) => T | Promise<T>): Promise<T> {
  const progress = commandProgress(label, { json });
  try {
    return await work(progress.onProgress);
  } finally {
    progress.finish();
  }
}

async function runTrain(file: string, options: TrainOptions): Promise<void> {
  const text = await readFile(file, 'utf8');
  const { input, model, heldOut } = await withProgress('router train', false, (onProgress) => {
    const input = readTrainingInput(text, file, options, onProgress);
    const fitted = fitWithHoldOut(input.rows, {
      random: createSeededRandom(options.seed),
      training: options.epochs === undefined ? undefined : { epochs: options.epochs },
      onProgress,
    });
    return { input, ...fitted };
  });
  const out = [
    `trained on ${input.rows.length} examples; labels: ${heldOut.labels.join(', ')}`,
    `held-out accuracy (stratified ${heldOut.testSize} of ${input.rows.length}, seed ${options.seed}): ${pct(heldOut.accuracy)} ` +
      `(always "most frequent label": ${pct(heldOut.majorityAccuracy)})`,
    '',
    formatConfusionMatrix(heldOut),
  ];
  if (input.table !== undefined) {
    const scores = heldOut.testProbabilities.map((probabilities) => routingScore(heldOut.labels, probabilities));
    const table = selectRows(input.table, heldOut.testIndices);
    const reports = [evaluateRouter(table, scores, 'linear (held-out)'), evaluateRouter(table, expectedRandomScores(scores.length), 'random (expected)')];
    out.push(
      '',
      `routing on the held-out prompts: label "${STRONG_LABEL}" = ${table.weak} wrong and ${table.strong} right ("weak" the reverse, else "tie"); ` +
        `score = (1 + P(strong) − P(weak)) / 2`,
      ...table.assumptions.map((assumption) => `assumption: ${assumption}`),
      markdownTable(
        ['router', 'APGR', 'CPT(50%)', 'CPT(80%)', 'cost cut @95%', 'threshold @95%'],
        reports.map((report) => [
          report.router,
          report.apgr.toFixed(3),
          pct(report.cpt50),
          pct(report.cpt80),
          pct(report.atTarget?.costCut),
          report.atTarget?.threshold === null || report.atTarget === null ? '—' : report.atTarget.threshold.toFixed(4),
        ]),
      ),
    );
  }
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, linearModelToJson(model));
  out.push('', `model fitted on all ${input.rows.length} examples written to ${options.out}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

interface EvalOptions {
  data: string;
  route?: string;
  config?: string;
  as: string[];
  router: PairRouterName[];
  folds: number;
  seed: number;
  strong?: string;
  weak?: string;
  model?: string;
  quality: number;
  json?: boolean;
  multi?: boolean;
}

async function runMultiModelEval(dataset: RoutingDataset, options: EvalOptions): Promise<void> {
  const report = await withProgress('router eval', options.json, (onProgress) => {
    const features = promptFeatures(dataset.rows.map((row) => row.prompt), onProgress);
    const correctness = crossValidatedCorrectness(features, dataset, { folds: options.folds, random: createSeededRandom(options.seed), onProgress });
    return evaluateMultiModel(dataset, correctness, { reference: options.strong, qualityShare: options.quality });
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ data: options.data, prompts: dataset.rows.length, folds: options.folds, ...report }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${options.data}\n${formatMultiModelReport(report, dataset.rows.length, options.folds)}\n`);
}

async function runRouteReplay(dataset: RoutingDataset, route: string, options: EvalOptions): Promise<void> {
  const configPath = options.config ?? (process.env.FRUGAL_CONFIG || undefined);
  if (configPath === undefined) throw new FrugalError('invalid_request', '--route needs the config that defines it: --config FILE (or $FRUGAL_CONFIG)', { param: 'config' });
  const routes = await readRouteConfig(configPath);
  const { report, baselines } = await withProgress('router eval', options.json, (onProgress) => ({
    report: replayRoute(dataset, { routes, route, aliases: parseAliases(options.as), strong: options.strong, qualityShare: options.quality }),
    baselines: evaluatePairRouters(dataset, { routers: [], strong: options.strong, weak: options.weak, qualityShare: options.quality, seed: options.seed, onProgress }),
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ data: options.data, ...(routeReplayJson(report, baselines) as object) }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${options.data}\n${formatRouteReplay(report, baselines)}\n`);
}

async function runEval(options: EvalOptions): Promise<void> {
  const dataset = parseRoutingDataset(await readFile(options.data, 'utf8'), options.data);
  if (options.route !== undefined) return runRouteReplay(dataset, options.route, options);
  if (options.multi) return runMultiModelEval(dataset, options);
  const model = options.model === undefined ? undefined : linearModelFromJson(await readFile(options.model, 'utf8'));
  const evaluation = await withProgress('router eval', options.json, (onProgress) =>
    evaluatePairRouters(dataset, {
      routers: options.router,
      folds: options.folds,
      seed: options.seed,
      strong: options.strong,
      weak: options.weak,
      qualityShare: options.quality,
      model,
      onProgress,
    }),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ data: options.data, ...(pairEvaluationJson(evaluation) as object) }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${options.data}\n${formatPairEvaluation(evaluation)}\n`);
}

/**
 * @example
 * registerRouterCommand(program); // frugal router train labeled.jsonl --out model.json
 */
export function registerRouterCommand(program: Command): void {
  const router = program.command('router').description('Train and evaluate the prompt router offline.');
  router
    .command('train')
    .description('Fit the linear classifier on labeled JSONL ({"prompt"|"messages", "label"}), on a routing outcomes file, or on the ledger (--from-ledger).')
    .argument('[file]', 'JSON Lines training data (not with --from-ledger)')
    // .frugal/ is git-ignored: a model fitted on evaluation data must not end up committed by accident.
    .option('-o, --out <file>', 'where to write the model JSON', '.frugal/router-model.json')
    .option('--seed <n>', 'seed for the split and the shuffles', integerOption('seed', 0), DEFAULT_SEED)
    .option('--strong <model>', 'routing data: the strong model')
    .option('--weak <model>', 'routing data: the weak model')
    .option('--epochs <n>', 'training epochs', integerOption('epochs', 1))
    .option('--from-ledger', 'learn from stored samples and their scores, judge and eval verdicts (two models on the same question)')
    .option('--route <name>', '--from-ledger: questions asked on this route; compare with its classifier in --config')
    .option('--since <when>', '--from-ledger: samples from (30d, 24h, an ISO date)')
    .option('--scores <names>', '--from-ledger: score names that grade an answer, first found wins (default default,eval,judge)')
    .option('--tie-within <d>', '--from-ledger: scores closer than this are a tie (default 0.1)')
    .option('-c, --config <file>', "--from-ledger: the gateway's config (ledger location; the route's classifier) (default: $FRUGAL_CONFIG)")
    .option('--data-dir <dir>', '--from-ledger: directory of the SQLite ledger')
    .option('--database-url <url>', '--from-ledger: PostgreSQL ledger (default: $DATABASE_URL)')
    .action(async (file: string | undefined, options: TrainOptions & LedgerTrainOptions & { fromLedger?: boolean }) => {
      if (Boolean(options.fromLedger) === (file !== undefined)) throw new FrugalError('invalid_request', 'give a training file or --from-ledger, one of them');
      if (options.fromLedger) {
        process.stdout.write(`${await runTrainFromLedger(options)}\n`);
        return;
      }
      await runTrain(file!, options);
    });
  router
    .command('eval')
    .description('RouteLLM-style offline evaluation on a routing outcomes file: APGR, CPT, cost cut at a quality target.')
    .requiredOption('--data <file>', 'routing JSONL (RouteLLM "outcomes" or RouterBench "models" format)')
    .option('--route <name>', 'replay this configured route (from --config) instead of the pair routers')
    .option('-c, --config <file>', 'the config whose routes: --route names (default: $FRUGAL_CONFIG)')
    .option('--as <name=model...>', "a route's model name → the file's model name (repeat, or comma-separate)", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--router <names>', `routers to evaluate, comma-separated: ${PAIR_ROUTERS.join(', ')}`, routerList, routerList('rules,linear'))
    .option('--folds <n>', 'cross-validation folds for the linear router', integerOption('folds', 2), DEFAULT_FOLDS)
    .option('--seed <n>', 'seed for folds, shuffles and the random router', integerOption('seed', 0), DEFAULT_SEED)
    .option('--strong <model>', 'the strong model (default gpt-4-1106-preview)')
    .option('--weak <model>', 'the weak model (default Mixtral-8x7B)')
    .option('--model <file>', 'score with this trained routing model instead of cross-validating')
    .option('--quality <share>', 'quality target as a share of the strong model', shareOption, 0.95)
    .option('--multi', 'route over every model in a RouterBench file (per-model P(correct), price-weighted)')
    .option('--json', 'print JSON')
    .action(async (options: EvalOptions) => runEval(options));
}
