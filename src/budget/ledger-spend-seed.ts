import type { PeriodWindow } from './budget-period.js';
import type { ReportQuery } from '../ledger/ledger-store.js';
import type { ReportFilter } from '../ledger/report-filter.js';

/** The ledger's report, as the seed reads it (a LedgerReader or a LedgerStore). */
export interface SpendReport {
  report(query: ReportQuery): Promise<ReadonlyArray<{ costNanos: bigint | number }>>;
}

/**
 * The rows a budget scope counts, as a report filter: `global`, `key:<id>`, `team:<team>`, and the tags reports
 * group by (`tag:feature=…`, `tag:team=…`). Undefined for other tags, which the ledger keeps but cannot group.
 */
export function scopeRows(scopeId: string): ReportFilter[] | undefined {
  if (scopeId === 'global') return [];
  const colon = scopeId.indexOf(':');
  const kind = scopeId.slice(0, colon);
  const target = scopeId.slice(colon + 1);
  if (kind === 'key') return [{ dimension: 'key', value: target }];
  if (kind === 'team') return [{ dimension: 'team', value: target }];
  if (kind === 'tag') {
    const equals = target.indexOf('=');
    const name = target.slice(0, equals);
    if (name === 'feature' || name === 'team') return [{ dimension: name, value: target.slice(equals + 1) }];
  }
  return undefined;
}

/**
 * `spentBefore` for the memory budget store: what the ledger holds for the scope in the period so far, so that a
 * restart (or a new worker cluster) resumes each budget where it stood instead of at 0. Redis keeps its counters
 * itself and needs none of this.
 *
 * @example
 * const store = createMemoryBudgetStore({ spentBefore: spentFromLedger(openLedgerReader(options)) });
 */
export function spentFromLedger(ledger: SpendReport): (scopeId: string, window: PeriodWindow) => Promise<number> {
  return async (scopeId, window) => {
    const where = scopeRows(scopeId);
    if (where === undefined) return 0;
    const rows = await ledger.report({ by: 'status', since: window.start, until: window.end, where });
    let total = 0n;
    for (const row of rows) total += BigInt(row.costNanos);
    return Number(total);
  };
}
