import { openLedgerSqlClient, readExperimentStats } from '../experiments/experiment-stats.js';
import { formatExperimentJson, formatExperimentReport } from '../experiments/experiment-report.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf, type LedgerLocationOptions } from './ledger-location.js';

export interface ExperimentReportOptions extends LedgerLocationOptions {
  experiment: string;
  /** Which score is "quality" (default `judge`). */
  score: string;
  since?: number;
  until?: number;
  json?: boolean;
}

/** `frugal report --experiment NAME`: per arm requests, cost, quality with its interval, win-rate, latency, verdicts. */
export async function runExperimentReport(options: ExperimentReportOptions, write: (text: string) => void): Promise<void> {
  const location = await resolveLedgerLocation(options);
  requireExistingLedger(location);
  const where = storeOptionsOf(location);
  // Brings an older ledger up to date first (the experiment columns arrived in a later migration).
  const store = openLedgerStore(where);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  const client = openLedgerSqlClient(where);
  try {
    const stats = await readExperimentStats(client, options.experiment, options.score, { since: options.since, until: options.until });
    write(`${options.json ? formatExperimentJson(stats, options.score) : formatExperimentReport(stats, options.score)}\n`);
  } finally {
    await client.close();
  }
}
