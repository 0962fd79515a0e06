import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatNanosUsd } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import { openLedgerSqlClient } from '../experiments/experiment-stats.js';
import { formatConfusionMatrix } from '../lab/router-training/hold-out-training.js';
import { DEFAULT_SCORE_NAMES, DEFAULT_TIE_WITHIN, ledgerOutcomes } from '../lab/router-training/ledger-outcomes.js';
import { trainFromLedger, type InUseClassifier } from '../lab/router-training/train-from-ledger.js';
import { markdownTable } from '../lab/router-eval/evaluate-pair-routers.js';
import { readRouteConfig } from '../lab/router-eval/read-route-config.js';
import { createScoredSampleReader } from '../lab/scored-samples/scored-sample-reader.js';
import { parseSince } from '../ledger/report-format.js';
import { linearModelToJson } from '../routing/classifier/linear-model.js';
import { classifyWithRules, loadTrainedClassifier } from '../routing/classify-request.js';
import { createSeededRandom } from '../routing/seeded-random.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf, type LedgerLocationOptions } from './ledger-location.js';

/** `frugal router train --from-ledger`: the options it reads beside the file-based ones. */
export interface LedgerTrainOptions extends LedgerLocationOptions {
  out: string;
  seed: number;
  strong?: string;
  weak?: string;
  epochs?: number;
  route?: string;
  since?: string;
  scores?: string;
  tieWithin?: string;
  /** Tests: a PostgreSQL schema. */
  schema?: string;
  now?: number;
}

const pct = (value: number | null | undefined) => (value === null || value === undefined || Number.isNaN(value) ? '—' : `${(value * 100).toFixed(1)}%`);
const usd = (nanos: number | undefined) => (nanos === undefined ? '—' : `$${formatNanosUsd(Math.round(nanos))}`);

/** The classifier the route uses now: its trained model file, else the rules (model classifiers fall back to them offline). */
async function inUseClassifier(options: LedgerTrainOptions): Promise<{ classifier: InUseClassifier; note?: string }> {
  const rules = { name: 'rules', classify: classifyWithRules };
  const configPath = options.config ?? (process.env.FRUGAL_CONFIG || undefined);
  if (options.route === undefined) return { classifier: rules, note: 'no --route: compared with the rules' };
  if (configPath === undefined) return { classifier: rules, note: `no --config: compared with the rules, not ${options.route}'s configured classifier` };
  const spec = (await readRouteConfig(configPath)).get(options.route);
  if (spec === undefined || !('classifier' in spec)) return { classifier: rules, note: `${options.route} is not a classify/map route in ${configPath}: compared with the rules` };
  if (spec.classifier === 'rules' || !('model_file' in spec.classifier)) return { classifier: rules };
  const file = spec.classifier.model_file;
  return { classifier: { name: `model_file ${file}`, classify: loadTrainedClassifier(file) } };
}

function parseTieWithin(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIE_WITHIN;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value < 1)) throw new FrugalError('invalid_request', `--tie-within must be a number in [0, 1), got "${text}"`, { param: 'tie-within' });
  return value;
}

/** Reads the ledger, trains, writes the model; returns the printed report. */
export async function runTrainFromLedger(options: LedgerTrainOptions): Promise<string> {
  const location = await resolveLedgerLocation(options);
  requireExistingLedger(location);
  const since = options.since === undefined ? undefined : parseSince(options.since, options.now ?? Date.now(), 'since');
  const scoreNames = options.scores === undefined ? [...DEFAULT_SCORE_NAMES] : options.scores.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (scoreNames.length === 0) throw new FrugalError('invalid_request', '--scores: name at least one score', { param: 'scores' });
  const tieWithin = parseTieWithin(options.tieWithin);
  const reader = createScoredSampleReader(openLedgerSqlClient({ ...storeOptionsOf(location), schema: options.schema }));
  let outcomes;
  try {
    // Every route's samples: another model's answer to a question of this route counts, whichever route asked it.
    const samples = await reader.samples({ since });
    const shadows = await reader.shadowVerdicts({ since });
    const referenceIds = samples.flatMap((sample) => sample.scores.map((score) => score.metadata?.reference_request_id).filter((id): id is string => typeof id === 'string'));
    const references = await reader.ledgerRows(referenceIds);
    outcomes = ledgerOutcomes({ samples, shadows, references }, { route: options.route, scoreNames, strong: options.strong, weak: options.weak, tieWithin });
  } finally {
    await reader.close();
  }
  const { classifier, note } = await inUseClassifier(options);
  const result = trainFromLedger(outcomes, { random: createSeededRandom(options.seed), epochs: options.epochs, inUse: classifier });
  const { heldOut, reports, beats } = result;
  const byEvidence = (kind: string) => outcomes.prompts.filter((prompt) => prompt.evidence === kind).length;
  const labelCounts = heldOut.labels.map((label) => `${label} ${outcomes.prompts.filter((prompt) => prompt.label === label).length}`).join(', ');
  const apgr = (value: number) => (Number.isNaN(value) ? '—' : value.toFixed(3));
  const heldOutPrompts = heldOut.testSize;
  const verdict =
    beats === null
      ? `no verdict: on the ${heldOutPrompts} held-out prompts ${outcomes.strong} is not better than ${outcomes.weak}, so there is no quality gap for a router to recover`
      : `the new model ${beats ? 'beats' : 'does not beat'} the one in use (${classifier.name}) on the ${heldOutPrompts} held-out prompts: APGR ${apgr(reports.trained.apgr)} vs ${apgr(reports.inUse.apgr)}` +
        (beats ? '' : '; keep the one in use');
  const lines = [
    `from the ledger (${location.from}): ${outcomes.counts.samples} samples; ${outcomes.counts.questions} questions${options.route === undefined ? '' : ` asked on ${options.route}`}`,
    `${outcomes.counts.paired} answered by both ${outcomes.strong} (strong, ${usd(outcomes.meanCost.get(outcomes.strong))} per answer) and ${outcomes.weak} (weak, ${usd(outcomes.meanCost.get(outcomes.weak))}): ` +
      `${byEvidence('scores')} by scores (${scoreNames.join(' > ')}), ${byEvidence('verdicts')} by judges' pairwise verdicts; ${outcomes.counts.singleModel} answered by one model only (not used)`,
    `labels: ${labelCounts} (scores within ${tieWithin} are a tie)`,
    `held-out accuracy (stratified ${heldOut.testSize} of ${outcomes.prompts.length}, seed ${options.seed}): ${pct(heldOut.accuracy)} (always "most frequent label": ${pct(heldOut.majorityAccuracy)})`,
    '',
    formatConfusionMatrix(heldOut),
    '',
    `routing on the held-out prompts (score = (1 + P(strong) − P(weak)) / 2; higher → ${outcomes.strong}):`,
    ...outcomes.table.assumptions.map((assumption) => `assumption: ${assumption}`),
    ...(note === undefined ? [] : [`note: ${note}`]),
    markdownTable(
      ['router', 'APGR', 'CPT(50%)', 'CPT(80%)', 'cost cut @95%'],
      [reports.trained, reports.inUse, reports.random].map((report) => [report.router, apgr(report.apgr), pct(report.cpt50), pct(report.cpt80), pct(report.atTarget?.costCut)]),
    ),
    '',
    `verdict: ${verdict}`,
  ];
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, linearModelToJson(result.model));
  lines.push(`model fitted on all ${outcomes.prompts.length} examples written to ${options.out}${beats ? ` (use it: classifier: { model_file: ${options.out} })` : ''}`);
  return lines.join('\n');
}
