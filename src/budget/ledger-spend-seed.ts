import type { PeriodWindow } from './budget-period.js';
import type { ReportQuery } from '../ledger/ledger-store.js';
import type { ReportFilter } from '../ledger/report-filter.js';

/** The ledger's report, as the seed reads it (a LedgerReader or a LedgerStore). */
export interface SpendReport {
  report(query: ReportQuery): Promise<ReadonlyArray<{ costNanos: bigint | number }>>;
}

/**
 * The report group a budget scope counts: null for `global` (every row), the dimension and value for `key:<id>`,
 * `team:<team>` and the tags reports group by (`tag:feature=…`, `tag:team=…`; the value may be a rule's `*`).
 * Undefined for other tags, which the ledger keeps but cannot group.
 */
export function scopeGroup(scope: string): { dimension: 'key' | 'team' | 'feature'; value: string } | null | undefined {
  if (scope === 'global') return null;
  const colon = scope.indexOf(':');
  const kind = scope.slice(0, colon);
  const target = scope.slice(colon + 1);
  if (kind === 'key' || kind === 'team') return { dimension: kind, value: target };
  if (kind === 'tag') {
    const equals = target.indexOf('=');
    const name = target.slice(0, equals);
    if (name === 'feature' || name === 'team') return { dimension: name, value: target.slice(equals + 1) };
  }
  return undefined;
}

/** The rows one budget scope counts, as a report filter (see scopeGroup); undefined when the ledger cannot group them. */
export function scopeRows(scopeId: string): ReportFilter[] | undefined {
  const group = scopeGroup(scopeId);
  return group === undefined ? undefined : group === null ? [] : [group];
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
