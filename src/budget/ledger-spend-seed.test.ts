import { describe, expect, it } from 'vitest';
import { scopeRows, spentFromLedger } from './ledger-spend-seed.js';

describe('the ledger rows a budget scope counts', () => {
  it('maps each scope kind the ledger can group to its report filter', () => {
    expect(scopeRows('global')).toEqual([]);
    expect(scopeRows('key:k_123')).toEqual([{ dimension: 'key', value: 'k_123' }]);
    expect(scopeRows('team:growth')).toEqual([{ dimension: 'team', value: 'growth' }]);
    expect(scopeRows('tag:feature=summarize')).toEqual([{ dimension: 'feature', value: 'summarize' }]);
    expect(scopeRows('tag:team=a=b')).toEqual([{ dimension: 'team', value: 'a=b' }]);
    // Other tags are stored but not grouped: the counter starts at 0, as before.
    expect(scopeRows('tag:customer=acme')).toBeUndefined();
  });

  it('sums the period’s cost exactly, over the period’s window only', async () => {
    const queries: unknown[] = [];
    const spent = spentFromLedger({
      report: async (query) => {
        queries.push(query);
        return [{ costNanos: 9_007_199_254_740_000n }, { costNanos: 991n }];
      },
    });
    expect(await spent('key:k_1', { id: '2026-12', start: 10, end: 20 })).toBe(9_007_199_254_740_991);
    expect(queries).toEqual([{ by: 'status', since: 10, until: 20, where: [{ dimension: 'key', value: 'k_1' }] }]);
    expect(await spent('tag:customer=acme', { id: '2026-12', start: 10, end: 20 })).toBe(0);
    expect(queries).toHaveLength(1);
  });
});
