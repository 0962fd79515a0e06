import { type Command, Option } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { openQualityStores } from '../quality/open-quality-stores.js';
import type { Sample } from '../quality/sample-store.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf, type LedgerLocationOptions } from './ledger-location.js';

interface ReviewOptions extends LedgerLocationOptions {
  route?: string;
  limit: string;
  score?: string;
  name: string;
  comment?: string;
  json?: boolean;
}

const SNIPPET = 160;

function snippet(text: string | null): string {
  if (text === null) return '(not stored)';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= SNIPPET ? flat : `${flat.slice(0, SNIPPET - 1)}…`;
}

/** The last user turn of a stored (redacted) request, for the listing. */
function question(sample: Sample): string {
  if (sample.requestJson === null) return '(not stored)';
  const messages = JSON.parse(sample.requestJson) as Array<{ role?: string; content?: unknown }>;
  const last = [...messages].reverse().find((message) => message.role === 'user') ?? messages.at(-1);
  const content = last?.content;
  return snippet(typeof content === 'string' ? content : JSON.stringify(content ?? ''));
}

/** A reviewer's score: a number in [0, 1], or up/down (thumbs). */
export function parseReviewScore(text: string): number {
  const lowered = text.trim().toLowerCase();
  if (lowered === 'up' || lowered === 'good') return 1;
  if (lowered === 'down' || lowered === 'bad') return 0;
  const value = Number(lowered);
  if (lowered === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new FrugalError('invalid_request', `--score must be a number from 0 to 1, or up / down; got '${text}'`, { param: 'score' });
  }
  return value;
}

/**
 * `frugal review`: lists sampled answers no reviewer has graded yet; `frugal review REQUEST_ID --score 0.8` records
 * a reviewer's grade in the feedback store (source `reviewer`), where `report --quality` reads it.
 */
export function registerReviewCommand(program: Command): void {
  program
    .command('review')
    .description('Human spot checks: list sampled answers awaiting a grade, or grade one (feedback source "reviewer").')
    .argument('[request-id]', 'the request to grade (with --score)')
    .option('--route <name>', 'only samples of this quality route or model')
    .option('--limit <n>', 'how many to list', '20')
    .option('--score <value>', 'record this grade for the request: 0 to 1, or up / down')
    .option('--name <score>', 'which named score the grade is', 'default')
    .option('--comment <text>', 'a note kept with the grade')
    .addOption(new Option('--json', 'print JSON'))
    .option('--data-dir <dir>', 'directory of the SQLite ledger (default: the config’s ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .option('--database-url <url>', 'PostgreSQL ledger (default: $DATABASE_URL)')
    .option('-c, --config <file>', 'the gateway’s config: read the ledger its ledger: section names (default: $FRUGAL_CONFIG)')
    .action(async (requestId: string | undefined, options: ReviewOptions, command: Command) => {
      const write = command.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
      if ((requestId === undefined) !== (options.score === undefined)) {
        throw new FrugalError('invalid_request', 'to grade, give both a request id and --score; to list, give neither', { param: requestId === undefined ? 'request-id' : 'score' });
      }
      const location = await resolveLedgerLocation(options);
      requireExistingLedger(location);
      const where = storeOptionsOf(location);
      const ledger = openLedgerStore(where);
      try {
        await ledger.migrate();
      } finally {
        await ledger.close();
      }
      const stores = openQualityStores(where);
      try {
        if (requestId !== undefined) {
          const score = parseReviewScore(options.score!);
          const [request] = await stores.feedback.findRequests(requestId);
          if (!request) throw new FrugalError('not_found', `no request '${requestId}' in the ledger (is it the x-frugal-request-id of a reply?)`, { param: 'request-id' });
          const entry = await stores.feedback.add({ requestId, requestTs: request.ts, name: options.name, score, comment: options.comment ?? null, source: 'reviewer', scoredBy: 'cli', metadata: null });
          write(options.json ? `${JSON.stringify(entry)}\n` : `recorded ${options.name} = ${score} for ${requestId} (${entry.id})\n`);
          return;
        }
        const limit = Number(options.limit);
        if (!Number.isSafeInteger(limit) || limit < 1) throw new FrugalError('invalid_request', `--limit must be a positive integer, got '${options.limit}'`, { param: 'limit' });
        const samples = await stores.samples.awaitingReview({ route: options.route, limit });
        if (options.json) {
          write(`${JSON.stringify(samples, null, 2)}\n`);
          return;
        }
        if (samples.length === 0) {
          write('No sampled answers await a grade.\n');
          return;
        }
        for (const sample of samples) {
          write(`${sample.requestId}  ${new Date(sample.requestTs).toISOString()}  ${sample.route} → ${sample.model ?? '?'}\n  Q: ${question(sample)}\n  A: ${snippet(sample.answer)}\n\n`);
        }
        write(`${samples.length} awaiting a grade. Grade one: frugal review REQUEST_ID --score 0..1|up|down [--comment TEXT]\n`);
      } finally {
        await stores.close();
      }
    });
}
