import type { LedgerRow } from './ledger-row.js';
import type { ReportQuery, ReportRow } from './ledger-store.js';
import type { LatestRowsQuery } from './rollup-report-sql.js';
import { shapeReport } from './report-sql.js';

/** A report group with the latency sums the dashboard averages (floats: never money). */
export interface RollupReportRow extends ReportRow {
  latencyMsSum: number;
  ttftMsSum: number;
  ttftCount: number;
}

/**
 * What the dashboard reads from the ledger, on a connection of its own: reports from the hourly rollup (equal to
 * LedgerStore.report over the rows, to the nano-dollar), the newest rows, and the rollup's rebuild. SQLite and
 * PostgreSQL both pass ledger-reader.case.ts.
 */
export interface LedgerReader {
  report(query: ReportQuery): Promise<RollupReportRow[]>;
  latest(query: LatestRowsQuery): Promise<LedgerRow[]>;
  /** Remakes the rollup from every row, atomically (writers wait); returns the number of hourly groups. */
  rebuildRollup(): Promise<{ groups: number }>;
  close(): Promise<void>;
}

function float(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** Database records of buildRollupReportSql → report rows in the dimension's order, with their latency sums. */
export function shapeRollupReport(query: ReportQuery, records: ReadonlyArray<Record<string, unknown>>): RollupReportRow[] {
  const rows = shapeReport(query.by, records, query.then);
  // shapeReport labels and sorts; a second pass whose `requests` is each record's index finds each group's record.
  const recordOf = new Map<string | null, Record<string, unknown>>();
  for (const row of shapeReport(query.by, records.map((record, index) => ({ ...record, requests: index })), query.then)) recordOf.set(row.group, records[row.requests]);
  return rows.map((row) => {
    const record = recordOf.get(row.group) ?? {};
    return { ...row, latencyMsSum: float(record.latency_ms_sum), ttftMsSum: float(record.ttft_ms_sum), ttftCount: Number(record.ttft_count ?? 0) };
  });
}
