import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { createOfflineEmbedder } from '../cache/semantic/offline-embedder.js';
import { loadCliConfig } from './load-cli-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { parseSince } from '../ledger/report-format.js';
import { formatSimulationJson, formatSimulationText } from '../lab/simulate/format-simulation.js';
import { readRequestLog } from '../lab/simulate/read-request-log.js';
import { simulateLedger } from '../lab/simulate/simulate-ledger.js';
import { simulateLog } from '../lab/simulate/simulate-log.js';
import { projectTierSavings, type TierSavings } from '../lab/simulate/tier-savings.js';
import { formatTierSavingsText, tierSavingsJson } from '../lab/simulate/format-tier-savings.js';
import type { Simulation } from '../lab/simulate/simulation.js';
import { commandProgress, type ProgressStream } from './progress-reporter.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf } from './ledger-location.js';

export interface SimulateOptions {
  log?: string;
  ledger?: boolean;
  since?: string;
  until?: string;
  config?: string;
  route?: string;
  requestsPerDay?: string;
  assumeOutputTokens?: string;
  /** False with --no-semantic. */
  semantic?: boolean;
  semanticThreshold?: string;
  swap?: string[];
  seed?: string;
  json?: boolean;
  dataDir?: string;
  databaseUrl?: string;
  /** --background-tag: project the tagged rows at batch, flex and off-peak prices. */
  backgroundTag?: string;
}

export interface SimulateIo {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Where the progress line goes (drawn only when it is a terminal, and not under --json). */
  progress?: ProgressStream;
}

function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new FrugalError('invalid_request', `--${option}: a positive whole number, got '${value}'`, { param: option });
  }
  return Number(value);
}

function parseSwaps(values: readonly string[] | undefined): Map<string, string> {
  const swaps = new Map<string, string>();
  for (const value of values ?? []) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(value);
    if (!match) throw new FrugalError('invalid_request', `--swap: expected FROM=TO (gpt-4o=gpt-4o-mini), got '${value}'`, { param: 'swap' });
    swaps.set(match[1], match[2]);
  }
  return swaps;
}

/** Runs the simulation the options describe and returns the report (text or JSON). */
export async function runSimulate(options: SimulateOptions, io: SimulateIo = {}): Promise<string> {
  const env = io.env ?? process.env;
  const now = (io.now ?? Date.now)();
  if ((options.log === undefined) === (options.ledger !== true)) {
    throw new FrugalError('invalid_request', 'pass --log FILE.jsonl (a request log) or --ledger (the gateway ledger), one of them');
  }
  const config = await loadCliConfig(options.config ?? (env.FRUGAL_CONFIG || undefined), { env });
  if (options.backgroundTag !== undefined && options.ledger !== true) throw new FrugalError('invalid_request', '--background-tag reads the ledger: use it with --ledger', { param: 'background-tag' });
  const requestsPerDay = positiveInteger(options.requestsPerDay, 'requests-per-day');
  let simulation: Simulation;
  let tiers: TierSavings | undefined;
  if (options.log !== undefined) {
    let threshold: number | undefined;
    if (options.semanticThreshold !== undefined) {
      threshold = Number(options.semanticThreshold);
      if (!(threshold > 0 && threshold <= 1)) throw new FrugalError('invalid_request', `--semantic-threshold must be in (0, 1], got '${options.semanticThreshold}'`);
    }
    const progress = commandProgress('simulate', options, io.progress);
    const mebibytes = (bytes: number) => bytes / 1_048_576;
    const stage = `replaying ${basename(options.log)}`;
    const onProgress = (bytesRead: number, totalBytes: number) => progress.onProgress({ stage, done: mebibytes(bytesRead), total: mebibytes(totalBytes), unit: 'MiB' });
    try {
      simulation = await simulateLog(readRequestLog(options.log, { onProgress }), {
        config,
        source: `log ${basename(options.log)}`,
        route: options.route,
        assumeOutputTokens: positiveInteger(options.assumeOutputTokens, 'assume-output-tokens'),
        requestsPerDay,
        semantic: options.semantic === false ? undefined : { embedder: createOfflineEmbedder(), threshold },
        seed: positiveInteger(options.seed, 'seed'),
      });
    } finally {
      progress.finish();
    }
  } else {
    const since = options.since === undefined ? undefined : parseSince(options.since, now, 'since');
    const until = options.until === undefined ? undefined : parseSince(options.until, now, 'until');
    const location = await resolveLedgerLocation({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, config: options.config }, env);
    requireExistingLedger(location);
    const store = openLedgerStore(storeOptionsOf(location));
    try {
      await store.migrate();
      const rows = await store.rows({ since, until });
      simulation = simulateLedger(rows, { config, swaps: parseSwaps(options.swap), requestsPerDay, since, until, now });
      if (options.backgroundTag !== undefined) tiers = projectTierSavings(rows, config.models, { tag: options.backgroundTag });
    } finally {
      await store.close();
    }
  }
  if (tiers === undefined) return `${options.json ? formatSimulationJson(simulation) : formatSimulationText(simulation)}\n`;
  if (options.json) return `${JSON.stringify({ ...JSON.parse(formatSimulationJson(simulation)), backgroundTiers: tierSavingsJson(tiers) }, null, 2)}\n`;
  return `${formatSimulationText(simulation)}\n\n${formatTierSavingsText(tiers)}\n`;
}

/**
 * `frugal simulate`: what a candidate config would cost, replayed offline over a request log (routing and
 * cache replays) or over the ledger (repricing, model swaps, cache value), projected to a month.
 */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('Replay a request log (or the ledger) through a candidate config offline and project the monthly cost of each strategy.')
    .addOption(new Option('--log <file>', 'JSONL request log: {"request": {...}, "usage"?: {...}, "ts"?: ms|ISO} or a bare OpenAI request per line').conflicts('ledger'))
    .option('--ledger', 'the gateway ledger instead (no prompts there: repricing, --swap and cache value only)')
    .option('--since <when>', 'ledger rows from (a duration back from now: 30d, 24h; or an ISO date)')
    .option('--until <when>', 'ledger rows to (exclusive)')
    .option('-c, --config <file>', 'candidate config (default: $FRUGAL_CONFIG, else the built-in defaults)')
    .option('--route <name>', 'route the routing strategy sends model-named requests to', 'auto')
    .option('--requests-per-day <n>', 'scale to this rate instead of the sample’s time span')
    .option('--assume-output-tokens <n>', 'completion tokens of requests whose usage is unknown (default: the log’s mean)')
    .option('--no-semantic', 'leave the semantic cache out')
    .option('--semantic-threshold <x>', 'similarity needed for a semantic hit (default: the offline embedder’s measured 0.99)')
    .option('--swap <from=to...>', 'ledger: price rows served by FROM at model TO (repeatable)')
    .option('--seed <n>', 'seed of load-balancer picks')
    .option('--background-tag <tag>', 'ledger: what moving traffic with this tag (name=value, name=*) to batch, flex or off-peak prices would save')
    .option('--json', 'print JSON (money as exact decimal strings)')
    .option('--data-dir <dir>', 'directory of the SQLite ledger (default: the config’s ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .option('--database-url <url>', 'PostgreSQL ledger (default: the config’s ledger.database_url, $DATABASE_URL)')
    .action(async (options: SimulateOptions, command: Command) => {
      const write = command.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
      write(await runSimulate(options));
    });
}
