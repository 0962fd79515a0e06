import { describe, expect, it } from 'vitest';
import { filterConditions, parseReportFilter } from './report-filter.js';
import { postgresDialect, sqliteDialect } from './sql-dialect.js';

describe('report filters (--where)', () => {
  it('reads dimension=value, keeps later = signs in the value, and (none) as rows without one', () => {
    expect(parseReportFilter('team=growth')).toEqual({ dimension: 'team', value: 'growth' });
    expect(parseReportFilter('path=a>b=c')).toEqual({ dimension: 'path', value: 'a>b=c' });
    expect(parseReportFilter('feature=(none)')).toEqual({ dimension: 'feature', value: null });
  });

  it('refuses time dimensions, unknown names and text without =', () => {
    for (const text of ['day=2025-03-03', 'colour=red', 'team']) expect(() => parseReportFilter(text)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('binds values as parameters after those already given, in each dialect', () => {
    const params: unknown[] = [1];
    expect(filterConditions(postgresDialect('s'), [{ dimension: 'team', value: "x'; DROP" }, { dimension: 'model', value: null }], params)).toEqual([`((tags::jsonb ->> 'team')) = $2`, '(served_model) IS NULL']);
    expect(params).toEqual([1, "x'; DROP"]);
    expect(filterConditions(sqliteDialect, [{ dimension: 'key', value: 'k' }], [])).toEqual(['(key_id) = ?']);
  });
});
