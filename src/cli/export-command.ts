import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import { openLedgerSqlClient } from '../experiments/experiment-stats.js';
import { chatJsonlLines, DEFAULT_BAR_SCORES, type ChatJsonlCounts } from '../lab/distill/chat-jsonl-export.js';
import { createScoredSampleReader } from '../lab/scored-samples/scored-sample-reader.js';
import { parseSince } from '../ledger/report-format.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf, type LedgerLocationOptions } from './ledger-location.js';

export interface ExportOptions extends LedgerLocationOptions {
  route: string;
  format: string;
  minScore?: string;
  score?: string;
  model?: string;
  since?: string;
  until?: string;
  out?: string;
  /** Tests: a PostgreSQL schema. */
  schema?: string;
  now?: number;
}

export const EXPORT_FORMATS = ['chat-jsonl'] as const;

function parseMinScore(text: string | undefined): number {
  if (text === undefined) return 0.8;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw new FrugalError('invalid_request', `--min-score must be a number from 0 to 1, got "${text}"`, { param: 'min-score' });
  return value;
}

function summary(counts: ChatJsonlCounts, where: string, bar: string): string {
  const left = [
    [counts.otherModel, 'by another model'],
    [counts.unscored, 'not scored'],
    [counts.belowBar, 'below the bar'],
    [counts.notText, 'not a text chat'],
    [counts.duplicate, 'duplicates'],
  ]
    .filter(([count]) => (count as number) > 0)
    .map(([count, why]) => `${count} ${why}`);
  return `exported ${counts.exported} of ${counts.samples} stored samples to ${where} (${bar})${left.length === 0 ? '' : `; left out: ${left.join(', ')}`}`;
}

/**
 * Writes the export; returns the one-line summary (for stderr: stdout may be the data).
 *
 * @example
 * await runExport({ route: 'auto', format: 'chat-jsonl', minScore: '0.8', out: 'train.jsonl' });
 */
export async function runExport(options: ExportOptions, stdout: (text: string) => void = (text) => process.stdout.write(text)): Promise<{ counts: ChatJsonlCounts; summary: string }> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw new FrugalError('invalid_request', `--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${options.format}"`, { param: 'format' });
  }
  const minScore = parseMinScore(options.minScore);
  const scoreNames = options.score === undefined ? [...DEFAULT_BAR_SCORES] : [options.score];
  const now = options.now ?? Date.now();
  const since = options.since === undefined ? undefined : parseSince(options.since, now, 'since');
  const until = options.until === undefined ? undefined : parseSince(options.until, now, 'until');
  const location = await resolveLedgerLocation(options);
  requireExistingLedger(location);
  const reader = createScoredSampleReader(openLedgerSqlClient({ ...storeOptionsOf(location), schema: options.schema }));
  let result;
  try {
    result = chatJsonlLines(await reader.samples({ route: options.route, since, until }), { minScore, scoreNames, model: options.model });
  } finally {
    await reader.close();
  }
  const text = result.lines.map((line) => `${line}\n`).join('');
  if (options.out === undefined) stdout(text);
  else {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, text);
  }
  const bar = `${scoreNames.join(' and ')} ≥ ${minScore}${options.model === undefined ? '' : `, answers of ${options.model}`}`;
  return { counts: result.counts, summary: summary(result.counts, options.out ?? 'stdout', bar) };
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('Distillation data: stored samples that passed the quality bar, as provider-neutral chat fine-tuning JSONL ({"messages":[…],"tools":[…]} per line).')
    .requiredOption('--route <name>', 'samples taken on this quality route (or model)')
    .requiredOption('--format <format>', `output format: ${EXPORT_FORMATS.join(', ')}`)
    .option('--min-score <score>', 'the quality bar: each score the sample has (of --score) must reach it', '0.8')
    .option('--score <name>', `the score that sets the bar (default: ${DEFAULT_BAR_SCORES.join(' and ')}, each one it has)`)
    .option('--model <name>', "only answers of this model (the teacher's)")
    .option('--since <when>', 'requests from (30d, 24h, an ISO date)')
    .option('--until <when>', 'requests before (same forms)')
    .option('-o, --out <file>', 'write here (default: stdout)')
    .option('--data-dir <dir>', 'directory of the SQLite ledger (default: the config’s ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .option('--database-url <url>', 'PostgreSQL ledger (default: $DATABASE_URL)')
    .option('-c, --config <file>', 'the gateway’s config: read the ledger its ledger: section names (default: $FRUGAL_CONFIG)')
    .action(async (options: ExportOptions) => {
      const { summary: line } = await runExport(options);
      process.stderr.write(`${line}\n`);
    });
}
