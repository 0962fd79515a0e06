import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseUsdNanos } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import { parseGrader, readEvalRows, sampleRows, type EvalRow, type GraderSpec } from '../lab/eval/eval-dataset.js';
import { openLedgerSqlClient } from '../experiments/experiment-stats.js';
import { createScoredSampleReader } from '../lab/scored-samples/scored-sample-reader.js';
import { conversationKey, parseStoredRequest } from '../lab/scored-samples/stored-request.js';
import { parseSince } from '../ledger/report-format.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf, type LedgerLocationOptions } from './ledger-location.js';
import { gatewayCaller, replayCaller } from '../lab/eval/eval-callers.js';
import { formatEvalJson, formatEvalTable, type CostUnit } from '../lab/eval/format-eval.js';
import { runEval, type EvalResult } from '../lab/eval/run-eval.js';
import { costLookup, parseRoutingDataset } from '../lab/router-eval/routing-dataset.js';
import { readFile } from 'node:fs/promises';
import { commandProgress, type ProgressStream } from './progress-reporter.js';

export interface EvalCommandOptions extends LedgerLocationOptions {
  /** A JSONL file; or, with fromLedger, none. */
  data?: string;
  /** Prompts from the samples the gateway stored (quality: { sample, store: bodies }) on `route`. */
  fromLedger?: boolean;
  route?: string;
  since?: string;
  /** Tests: a PostgreSQL schema. */
  schema?: string;
  candidates: string;
  baseline?: string;
  grader?: string;
  samples?: string;
  seed?: string;
  concurrency?: string;
  maxUsd?: string;
  maxTokens?: string;
  url?: string;
  apiKey?: string;
  replay?: boolean;
  json?: boolean;
}

export interface EvalIo {
  env?: NodeJS.ProcessEnv;
  progress?: ProgressStream;
}

function positive(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new FrugalError('invalid_request', `--${option}: a positive whole number, got '${value}'`, { param: option });
  }
  return Number(value);
}

/** Replayed files are priced as `router eval` prices them, so both tables speak the same cost. */
async function replayCosts(file: string, rows: readonly EvalRow[]): Promise<{ costOf: (row: EvalRow, model: string) => number; unit: CostUnit }> {
  const dataset = parseRoutingDataset(await readFile(file, 'utf8'), file);
  const lookup = costLookup(dataset);
  const index = new Map(dataset.rows.map((row, position) => [row.id, position]));
  for (const row of rows) if (!index.has(row.id)) throw new FrugalError('invalid_request', `--replay: row ${row.id} has no recorded outcomes`);
  return { costOf: (row, model) => lookup.cost(index.get(row.id)!, model), unit: { name: lookup.costUnit, note: lookup.assumptions.join('; ') } };
}

/**
 * The prompts of the samples stored on a route (redacted, as kept), one per distinct conversation: what the
 * route's real traffic asks. They carry no expected answer, so only a judge can grade them (pairwise against the
 * baseline's answer).
 */
async function ledgerRows(options: EvalCommandOptions, grader: GraderSpec): Promise<EvalRow[]> {
  if (options.route === undefined) throw new FrugalError('invalid_request', '--from-ledger needs --route R: the route (or model) whose stored samples to replay', { param: 'route' });
  if (grader.kind !== 'judge') {
    throw new FrugalError('invalid_request', `--from-ledger: stored samples have no expected answer for the ${grader.kind} grader; use --grader judge:MODEL (pairwise against the baseline)`, { param: 'grader' });
  }
  const since = options.since === undefined ? undefined : parseSince(options.since, Date.now(), 'since');
  const location = await resolveLedgerLocation(options);
  requireExistingLedger(location);
  const reader = createScoredSampleReader(openLedgerSqlClient({ ...storeOptionsOf(location), schema: options.schema }));
  try {
    const seen = new Set<string>();
    const rows: EvalRow[] = [];
    for (const sample of await reader.samples({ route: options.route, since })) {
      const request = parseStoredRequest(sample.requestJson);
      if (request === undefined) continue;
      const key = conversationKey(request);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ id: sample.requestId, messages: request.messages as unknown as EvalRow["messages"] });
    }
    if (rows.length === 0) throw new FrugalError('invalid_request', `--from-ledger: no stored samples with bodies on route '${options.route}' (sample it with quality: { sample, store: bodies })`, { param: 'route' });
    return rows;
  } finally {
    await reader.close();
  }
}

/** Runs the bake-off the options describe; returns the result and its printed form. */
export async function runEvalCommand(options: EvalCommandOptions, io: EvalIo = {}): Promise<{ result: EvalResult; output: string }> {
  const env = io.env ?? process.env;
  const candidates = options.candidates.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (candidates.length === 0) throw new FrugalError('invalid_request', '--candidates: name at least one model or route', { param: 'candidates' });
  if (new Set(candidates).size !== candidates.length) throw new FrugalError('invalid_request', '--candidates: a name appears twice', { param: 'candidates' });
  const baseline = options.baseline ?? candidates[0];
  if (!candidates.includes(baseline)) candidates.unshift(baseline);
  const grader = parseGrader(options.grader ?? 'exact', '--grader');
  let maxNanos: number | undefined;
  if (options.maxUsd !== undefined) {
    maxNanos = parseUsdNanos(options.maxUsd.trim());
    if (maxNanos === undefined || maxNanos <= 0) throw new FrugalError('invalid_request', `--max-usd: a positive amount of USD (e.g. 5 or 0.25), got '${options.maxUsd}'`, { param: 'max-usd' });
  }
  if ((options.data === undefined) === (options.fromLedger !== true)) {
    throw new FrugalError('invalid_request', 'give --data FILE.jsonl or --from-ledger --route R, one of them', { param: 'data' });
  }
  if (options.fromLedger && options.replay) throw new FrugalError('invalid_request', '--replay reads recorded answers from a file; it does not go with --from-ledger', { param: 'replay' });
  const all = options.data !== undefined ? await readEvalRows(options.data) : await ledgerRows(options, grader);
  const rows = sampleRows(all, options.samples === undefined ? undefined : positive(options.samples, 'samples', 200), positive(options.seed, 'seed', 1));
  const replay = options.replay && options.data !== undefined ? await replayCosts(options.data, rows) : undefined;
  if (replay && replay.unit.name !== 'nano-USD' && maxNanos !== undefined) {
    throw new FrugalError('invalid_request', `--max-usd: this file has no prices (its costs are ${replay.unit.name}), so there are no dollars to cap`, { param: 'max-usd' });
  }
  const caller = replay
    ? replayCaller(replay.costOf)
    : gatewayCaller({
        baseUrl: options.url ?? env.FRUGAL_URL ?? 'http://127.0.0.1:4000/v1',
        apiKey: options.apiKey ?? env.FRUGAL_API_KEY ?? env.FRUGAL_MASTER_KEY,
        maxTokens: positive(options.maxTokens, 'max-tokens', 1024),
      });
  const run = randomUUID().slice(0, 8);
  const progress = commandProgress('eval', options, io.progress);
  let result: EvalResult;
  try {
    result = await runEval({
      rows,
      candidates,
      baseline,
      grader,
      caller,
      concurrency: positive(options.concurrency, 'concurrency', 8),
      maxNanos,
      tags: { feature: 'eval', eval: run },
      onProgress: progress.onProgress,
    });
  } finally {
    progress.finish();
  }
  // Kept grades are what `frugal router train --from-ledger` learns from; say when the gateway did not keep them.
  const grades = result.gradesNotStored > 0 ? `\n${result.gradesNotStored} of ${result.gradesStored + result.gradesNotStored} grades not kept as feedback (the gateway refused POST /v1/feedback: is its ledger on?)` : '';
  return { result, output: options.json ? formatEvalJson(result, replay?.unit) : `${formatEvalTable(result, replay?.unit)}${grades}` };
}

export function registerEvalCommand(program: Command) {
  program
    .command('eval')
    .description('bake-off before a migration: run prompts through candidate models or routes via the gateway, grade the answers, and pick the cheapest that keeps quality')
    .option('--data <file>', 'JSONL of {"id"?, "prompt" | "messages", "expected"?, "grader"?, "schema"?}')
    .option('--from-ledger', 'take the prompts from the samples stored on --route instead of a file (graded by a judge)')
    .option('--route <name>', 'with --from-ledger: the route or model whose stored samples to replay')
    .option('--since <when>', 'with --from-ledger: samples from (30m, 24h, 7d or an ISO date)')
    .option('--data-dir <dir>', 'with --from-ledger: the SQLite ledger\'s directory')
    .option('--database-url <url>', 'with --from-ledger: a PostgreSQL ledger (default $DATABASE_URL)')
    .option('-c, --config <file>', 'with --from-ledger: read the ledger this config names')
    .requiredOption('--candidates <names>', 'comma-separated models or routes, e.g. gpt-4o,deepseek-v4-flash,auto')
    .option('--baseline <name>', 'what the others are compared with (default: the first candidate)')
    .option('--grader <grader>', 'exact | regex | json_schema | judge:MODEL (a row\'s own "grader" wins)', 'exact')
    .option('--samples <n>', 'grade a seeded random sample of this many prompts')
    .option('--seed <n>', 'seed of the sample', '1')
    .option('--concurrency <n>', 'calls in flight at once', '8')
    .option('--max-usd <usd>', 'stop before the run (judge calls included) spends more than this')
    .option('--max-tokens <n>', 'max_tokens of each answer', '1024')
    .option('--url <url>', "the gateway's OpenAI base URL (default FRUGAL_URL, else http://127.0.0.1:4000/v1)")
    .option('--api-key <key>', 'a virtual key or the master key (default FRUGAL_API_KEY, else FRUGAL_MASTER_KEY)')
    .option('--replay', 'answer from the file\'s recorded "responses" per model instead of calling (RouteLLM-style files), priced as router eval prices them')
    .option('--json', 'print JSON (exact nano-dollars)')
    .action(async (options: EvalCommandOptions) => {
      const { output } = await runEvalCommand(options);
      process.stdout.write(`${output}\n`);
    });
}
