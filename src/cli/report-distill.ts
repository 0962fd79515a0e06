import { usdPerMillionToPico } from '../catalog/pricing.js';
import { FrugalError } from '../errors/frugal-error.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { DEFAULT_DISTILLED_PRICE, DISTILL_MIN_MONTHLY_CALLS, distillCandidates } from '../lab/distill/distill-candidates.js';
import { formatDistillJson, formatDistillTable } from '../lab/distill/format-distill.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf } from './ledger-location.js';

export interface DistillReportOptions {
  since?: number;
  until?: number;
  now: number;
  /** "IN,OUT" USD per 1M tokens. */
  distillPrice?: string;
  distillMinCalls?: string;
  json?: boolean;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
}

const DAY = 86_400_000;

function parsePrice(text: string | undefined) {
  if (text === undefined) return { input: String(DEFAULT_DISTILLED_PRICE.input), output: String(DEFAULT_DISTILLED_PRICE.output), label: DEFAULT_DISTILLED_PRICE.label };
  const match = /^\s*([\d.]+)\s*,\s*([\d.]+)\s*$/.exec(text);
  try {
    if (!match) throw new RangeError('expected IN,OUT');
    usdPerMillionToPico(match[1]);
    usdPerMillionToPico(match[2]);
  } catch {
    throw new FrugalError('invalid_request', `--distill-price: USD per 1M input and output tokens as IN,OUT (e.g. 0.2,0.8), got '${text}'`, { param: 'distill-price' });
  }
  return { input: match[1], output: match[2], label: `$${match[1]} / $${match[2]} per 1M tokens` };
}

/**
 * `frugal report --distill`: per task, the monthly volume at the window's rate, what it costs now and what a
 * distilled model at the given price would cost for the same tokens. The window defaults to the last 30 days.
 */
export async function runDistillReport(options: DistillReportOptions, write: (text: string) => void): Promise<void> {
  const until = options.until ?? options.now;
  const since = options.since ?? until - 30 * DAY;
  const price = parsePrice(options.distillPrice);
  let minMonthlyCalls = DISTILL_MIN_MONTHLY_CALLS;
  if (options.distillMinCalls !== undefined) {
    if (!/^\d+$/.test(options.distillMinCalls) || Number(options.distillMinCalls) <= 0) {
      throw new FrugalError('invalid_request', `--distill-min-calls: a positive whole number, got '${options.distillMinCalls}'`, { param: 'distill-min-calls' });
    }
    minMonthlyCalls = Number(options.distillMinCalls);
  }
  const location = await resolveLedgerLocation(options);
  requireExistingLedger(location);
  const store = openLedgerStore(storeOptionsOf(location));
  try {
    await store.migrate();
    const rows = await store.report({ by: 'task', since, until });
    const rates = { inputPico: usdPerMillionToPico(price.input), outputPico: usdPerMillionToPico(price.output), cachedInputPico: usdPerMillionToPico(price.input), cacheWritePico: usdPerMillionToPico(price.input) };
    const candidates = distillCandidates(rows, until - since, rates, minMonthlyCalls);
    const notes = { window: `from ${new Date(since).toISOString()} to ${new Date(until).toISOString()}`, price: price.label, minMonthlyCalls };
    write(`${options.json ? formatDistillJson(candidates, notes) : formatDistillTable(candidates, notes)}\n`);
  } finally {
    await store.close();
  }
}
