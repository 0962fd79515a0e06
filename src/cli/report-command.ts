import { type Command, Option } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import type { ReportDimension } from '../ledger/ledger-store.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { REPORT_DIMENSION_NAMES } from '../ledger/report-dimensions.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf } from './ledger-location.js';
import type { ScoreStatsQuery } from '../feedback/feedback-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { formatQualityJson, formatQualityTable, joinQuality, qualityRule } from '../feedback/quality-report.js';
import { formatReportCsv, formatReportJson, formatReportTable, formatSavingsTable, parseSince, SAVINGS_RULE } from '../ledger/report-format.js';

interface ReportOptions {
  by: ReportDimension;
  then?: ReportDimension;
  since?: string;
  until?: string;
  json?: boolean;
  csv?: boolean;
  savings?: boolean;
  /** `--quality` alone is true: the default score. */
  quality?: string | boolean;
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
    .addOption(new Option('--by <dimension>', 'what to group by').choices(REPORT_DIMENSION_NAMES).makeOptionMandatory())
    .addOption(new Option('--then <dimension>', 'and within each group by this too (e.g. --by route --then cache: hit rates per route)').choices(REPORT_DIMENSION_NAMES))
    .option('--since <when>', 'from (inclusive): a duration back from now (30m, 24h, 7d, 2w) or an ISO date, UTC')
    .option('--until <when>', 'to (exclusive): same forms as --since')
    .addOption(new Option('--json', 'print JSON (costs as exact strings)').conflicts('csv'))
    .option('--csv', 'print CSV')
    // JSON and CSV already carry the baseline and the saving by mechanism; this is the table of them.
    .addOption(new Option('--savings', 'print the savings against the baseline model, by mechanism, instead of spend').conflicts(['json', 'csv']))
    .addOption(new Option('--quality [name]', 'add scored requests and the mean score with its 95 % interval (feedback; name: which score, default "default")').conflicts(['csv', 'savings']))
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
      const location = await resolveLedgerLocation(options);
      requireExistingLedger(location);
      const store = openLedgerStore(storeOptionsOf(location));
      try {
        await store.migrate();
        const rows = await store.report({ by: options.by, then: options.then, since, until });
        const by = options.then === undefined ? options.by : `${options.by}/${options.then}`;
        if (options.quality !== undefined && options.quality !== false) {
          const name = options.quality === true ? 'default' : options.quality;
          const stats = await scoreStatsAt(storeOptionsOf(location), { by: options.by, then: options.then, since, until, name });
          const quality = joinQuality(rows, stats, options.by, options.then);
          if (options.json) write(`${formatQualityJson(quality, by, name)}\n`);
          else write(`quality by ${by}, ${describeRange(since, until)}\n\n${formatQualityTable(quality, by)}\n\n${qualityRule(name)}\n`);
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

/** Score statistics from the feedback table beside the ledger (same database, already migrated by the caller). */
async function scoreStatsAt(location: ReturnType<typeof storeOptionsOf>, query: ScoreStatsQuery) {
  const feedback = openFeedbackStore(location);
  try {
    return await feedback.scoreStats(query);
  } finally {
    await feedback.close();
  }
}
