import { type Command, Option } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import type { ReportDimension, ReportRow } from '../ledger/ledger-store.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { REPORT_DIMENSION_NAMES } from '../ledger/report-dimensions.js';
import { parseReportFilter, type ReportFilter } from '../ledger/report-filter.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf } from './ledger-location.js';
import type { ScoreStatsQuery } from '../feedback/feedback-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { formatQualityJson, formatQualityTable, joinQuality, qualityRule } from '../feedback/quality-report.js';
import { runExperimentReport } from './experiment-report-command.js';
import { runDistillReport } from './report-distill.js';
import { formatReportCsv, formatReportJson, formatReportTable, formatSavingsTable, formatUsd, parseSince, SAVINGS_RULE } from '../ledger/report-format.js';

interface ReportOptions {
  by?: ReportDimension;
  experiment?: string;
  then?: ReportDimension;
  since?: string;
  until?: string;
  where?: ReportFilter[];
  json?: boolean;
  csv?: boolean;
  savings?: boolean;
  /** `--quality` alone is true: the default score. */
  quality?: string | boolean;
  distill?: boolean;
  distillPrice?: string;
  distillMinCalls?: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
}

function describeRange(since: number | undefined, until: number | undefined): string {
  const from = since === undefined ? 'the first row' : new Date(since).toISOString();
  const to = until === undefined ? 'now' : new Date(until).toISOString();
  return `from ${from} to ${to}`;
}

/**
 * `frugal report --by <dimension> [--savings | --quality [name]]`: requests, tokens and spend (or, with --savings, the baseline and
 * what was saved by routing, cache, compression and prompt caching; with --quality, the mean feedback score and its 95 % interval) from the ledger the gateway writes (found as
 * resolveLedgerLocation says; a missing ledger is an error, never created). Output goes through the command's
 * configured writeOut, so a caller can capture it.
 */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('Requests, tokens and spend (or savings) from the ledger, grouped by one dimension, with a total line.')
    .addOption(new Option('--by <dimension>', 'what to group by (required unless --experiment)').choices(REPORT_DIMENSION_NAMES))
    .addOption(new Option('--then <dimension>', 'and within each group by this too (e.g. --by route --then cache: hit rates per route)').choices(REPORT_DIMENSION_NAMES))
    .option('--since <when>', 'from (inclusive): a duration back from now (30m, 24h, 7d, 2w) or an ISO date, UTC')
    .option('--until <when>', 'to (exclusive): same forms as --since')
    .option('--where <dimension=value>', 'only rows in this group, e.g. team=growth or feature=(none); repeat to narrow further', (text: string, previous: ReportFilter[] = []) => [...previous, parseReportFilter(text, '--where')])
    .addOption(new Option('--json', 'print JSON (costs as exact strings)').conflicts('csv'))
    .option('--csv', 'print CSV')
    // JSON and CSV already carry the baseline and the saving by mechanism; this is the table of them.
    .addOption(new Option('--savings', 'print the savings against the baseline model, by mechanism, instead of spend').conflicts(['json', 'csv']))
    .addOption(new Option('--experiment <name>', 'per arm of an experiment: requests, cost per request, quality (--quality NAME, default judge) with its interval, judge win-rate, latency p50/p95, and a verdict').conflicts(['by', 'then', 'csv', 'savings', 'where']))
    .addOption(new Option('--quality [name]', 'add scored requests and the mean score with its 95 % interval (feedback; name: which score, default "default")').conflicts(['csv', 'savings']))
    .addOption(new Option('--distill', 'tasks whose volume makes a distilled model worth it (about 1M calls a month), with what one would save; window default: the last 30 days').conflicts(['by', 'then', 'csv', 'savings', 'where', 'quality', 'experiment']))
    .option('--distill-price <in,out>', 'the distilled model\'s USD per 1M input and output tokens (default 0.2,0.8: a fine-tuned gpt-4.1-nano)')
    .option('--distill-min-calls <n>', 'monthly calls at which distilling pays (default 1000000)')
    .option('--data-dir <dir>', 'directory of the SQLite ledger (default: the config’s ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .option('--database-url <url>', 'PostgreSQL ledger (default: $DATABASE_URL; prefer the variable, arguments are visible to other users)')
    .option('-c, --config <file>', 'the gateway’s config: read the ledger its ledger: section names (default: $FRUGAL_CONFIG)')
    .action(async (options: ReportOptions, command: Command) => {
      const write = command.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
      const now = Date.now();
      const since = options.since === undefined ? undefined : parseSince(options.since, now, 'since');
      const until = options.until === undefined ? undefined : parseSince(options.until, now, 'until');
      if (since !== undefined && until !== undefined && since >= until) {
        throw new FrugalError('invalid_request', `--since (${new Date(since).toISOString()}) must be before --until (${new Date(until).toISOString()})`, { param: 'since' });
      }
      if (options.where && options.quality !== undefined && options.quality !== false) {
        throw new FrugalError('invalid_request', '--where does not apply to --quality yet: the scores would not be filtered like the rows', { param: 'where' });
      }
      if (options.distill) {
        await runDistillReport({ ...options, since, until, now }, write);
        return;
      }
      if (options.experiment !== undefined) {
        const score = typeof options.quality === 'string' ? options.quality : 'judge';
        await runExperimentReport({ ...options, experiment: options.experiment, score, since, until }, write);
        return;
      }
      // As commander says it for a mandatory option (--by is mandatory unless --experiment is given).
      if (options.by === undefined) return command.error("error: required option '--by <dimension>' not specified (or --experiment NAME, or --distill)", { code: 'commander.missingMandatoryOptionValue' });
      const location = await resolveLedgerLocation(options);
      requireExistingLedger(location);
      const store = openLedgerStore(storeOptionsOf(location));
      try {
        await store.migrate();
        const rows = await store.report({ by: options.by, then: options.then, since, until, where: options.where });
        const by = options.then === undefined ? options.by : `${options.by}/${options.then}`;
        if (options.quality !== undefined && options.quality !== false) {
          const name = options.quality === true ? 'default' : options.quality;
          const stats = await scoreStatsAt(storeOptionsOf(location), { by: options.by, then: options.then, since, until, name });
          const quality = joinQuality(rows, stats, options.by, options.then);
          if (options.json) write(`${formatQualityJson(quality, by, name)}\n`);
          else {
            const overhead = qualityOverheadLine(await store.report({ by: 'overhead', since, until }));
            write(`quality by ${by}, ${describeRange(since, until)}\n\n${formatQualityTable(quality, by)}\n\n${qualityRule(name)}\n${overhead}`);
          }
          return;
        }
        if (options.json) write(`${formatReportJson(rows, by)}\n`);
        else if (options.csv) write(formatReportCsv(rows, by));
        else if (options.savings) write(`savings by ${by}, ${describeRange(since, until)}\n\n${formatSavingsTable(rows, by)}\n\n${SAVINGS_RULE}\n`);
        else write(`spend by ${by}, ${describeRange(since, until)}\n\n${formatReportTable(rows, by)}\n`);
      } finally {
        await store.close();
      }
    });
}

/** One line on what judges, reference answers and shadow arms cost in the range (their rows are in the spend above). */
function qualityOverheadLine(byOverhead: readonly ReportRow[]): string {
  const rows = byOverhead.filter((row) => row.group !== null && row.group !== 'caller');
  if (rows.length === 0) return '';
  const cost = rows.reduce((sum, row) => sum + row.costNanos, 0n);
  const calls = rows.reduce((sum, row) => sum + row.requests, 0);
  const parts = rows.map((row) => `${row.group} ${formatUsd(row.costNanos)}`).join(', ');
  return `Quality overhead: ${formatUsd(cost)} USD over ${calls} calls (${parts}); part of the spend above, never a saving (frugal report --by overhead).\n`;
}

/** Score statistics from the feedback table beside the ledger (same database, already migrated by the caller). */
async function scoreStatsAt(location: ReturnType<typeof storeOptionsOf>, query: ScoreStatsQuery) {
  const feedback = openFeedbackStore(location);
  try {
    return await feedback.scoreStats(query);
  } finally {
    await feedback.close();
  }
}
