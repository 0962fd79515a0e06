import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LedgerRow } from './ledger-row.js';

/** Where a row goes when the database refuses it even alone: kept, with the reason, instead of blocking the rest. */
export type LedgerQuarantine = (row: LedgerRow, reason: string) => Promise<void>;

/** One line of the quarantine file. */
export interface QuarantinedRow {
  /** When the row was set aside, ISO 8601. */
  at: string;
  reason: string;
  row: LedgerRow;
}

/**
 * An append-only JSON-lines file of refused rows (`<data_dir>/ledger-quarantine.jsonl`). Nothing reads it at
 * run time: it is for an operator to inspect and, once the cause is fixed, re-import. JSON escapes NUL and lone
 * surrogates, so the row is kept exactly as the gateway built it.
 *
 * @example
 * const writer = createLedgerWriter(store, { quarantine: quarantineFile('.frugal/ledger-quarantine.jsonl') });
 */
export function quarantineFile(path: string, now: () => number = Date.now): LedgerQuarantine {
  let ready: Promise<unknown> | undefined;
  return async (row, reason) => {
    ready ??= mkdir(dirname(path), { recursive: true });
    await ready;
    const line: QuarantinedRow = { at: new Date(now()).toISOString(), reason, row };
    await appendFile(path, `${JSON.stringify(line)}\n`);
  };
}
