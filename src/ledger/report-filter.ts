import { FrugalError } from '../errors/frugal-error.js';
import type { ReportDimension } from './ledger-store.js';
import { isReportDimension, REPORT_DIMENSIONS } from './report-dimensions.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * Only rows whose dimension has this value (null: rows without one, shown as "(none)"). Time dimensions are
 * filtered with since/until, never here: their groups are labels made from numbers.
 */
export interface ReportFilter {
  dimension: ReportDimension;
  value: string | null;
}

/** The text a report shows for a group without a value; `--where team=(none)` selects those rows. */
export const NO_VALUE = '(none)';

function filterable(name: string): name is ReportDimension {
  return isReportDimension(name) && !('label' in REPORT_DIMENSIONS[name]);
}

/**
 * `team=growth` → { dimension: 'team', value: 'growth' }; `team=(none)` → value null. The value is everything after
 * the first `=`, so values may hold `=` themselves.
 */
export function parseReportFilter(text: string, param = 'where'): ReportFilter {
  const at = text.indexOf('=');
  const name = at < 0 ? text : text.slice(0, at);
  if (at < 0 || !filterable(name)) {
    const names = Object.keys(REPORT_DIMENSIONS).filter(filterable).join(', ');
    throw new FrugalError('invalid_request', `${param}: expected <dimension>=<value> with a dimension among ${names}, got "${text}"`, { param });
  }
  const value = text.slice(at + 1);
  return { dimension: name, value: value === NO_VALUE ? null : value };
}

/**
 * SQL conditions (joined by AND, without WHERE) for the filters, binding values as parameters after `params`.
 * The dimension's own SQL is used, so a filter selects exactly the rows of that report group.
 */
export function filterConditions(d: SqlDialect, filters: readonly ReportFilter[] | undefined, params: unknown[]): string[] {
  const conditions: string[] = [];
  for (const filter of filters ?? []) {
    if (!filterable(filter.dimension)) throw new FrugalError('invalid_request', `cannot filter on "${filter.dimension}"`, { param: 'where' });
    const sql = REPORT_DIMENSIONS[filter.dimension].sql(d);
    if (filter.value === null) {
      conditions.push(`(${sql}) IS NULL`);
    } else {
      params.push(filter.value);
      conditions.push(`(${sql}) = ${d.param(params.length)}`);
    }
  }
  return conditions;
}

/** `where` (empty or ` WHERE …`) with more conditions ANDed on. */
export function andWhere(where: string, conditions: readonly string[]): string {
  if (conditions.length === 0) return where;
  return where === '' ? ` WHERE ${conditions.join(' AND ')}` : `${where} AND ${conditions.join(' AND ')}`;
}
