import { describe, expect, it } from 'vitest';
import { compileBudgetRule, formatUsd, matchCounters } from './budget-rule.js';

describe('matchCounters', () => {
  const facts = { keyId: 'k_1', team: 'growth', tags: { feature: 'summarize', env: 'prod' } };

  it('turns wildcards into the request’s own scope ids', () => {
    const rules = [
      compileBudgetRule({ scope: 'key:*', limitNanos: 1, period: 'day', hard: true }),
      compileBudgetRule({ scope: 'team:*', limitNanos: 2, period: 'week', hard: true }),
      compileBudgetRule({ scope: 'tag:feature=*', limitNanos: 3, period: 'month', hard: false, timeZone: 'Asia/Tokyo' }),
      compileBudgetRule({ scope: 'tag:env=staging', limitNanos: 4, period: 'day', hard: true }),
      compileBudgetRule({ scope: 'global', limitNanos: 5, period: 'month', hard: true }),
    ];
    expect(matchCounters(rules, facts).map((counter) => counter.scope)).toEqual([
      { id: 'key:k_1', limitNanos: 1, period: 'day', hard: true },
      { id: 'team:growth', limitNanos: 2, period: 'week', hard: true },
      { id: 'tag:feature=summarize', limitNanos: 3, period: 'month', hard: false, timeZone: 'Asia/Tokyo' },
      { id: 'global', limitNanos: 5, period: 'month', hard: true },
    ]);
  });

  it('skips key and team budgets for a request without key or team', () => {
    const rules = [compileBudgetRule({ scope: 'key:*', limitNanos: 1, period: 'day', hard: true }), compileBudgetRule({ scope: 'team:*', limitNanos: 1, period: 'day', hard: true })];
    expect(matchCounters(rules, { keyId: null, team: null, tags: {} })).toEqual([]);
  });

  it('merges rules on one counter: the tightest hard limit is enforced, soft ones only read it', () => {
    const rules = [
      compileBudgetRule({ scope: 'team:growth', limitNanos: 80, period: 'month', hard: false }),
      compileBudgetRule({ scope: 'team:*', limitNanos: 120, period: 'month', hard: true }),
      compileBudgetRule({ scope: 'team:growth', limitNanos: 100, period: 'month', hard: true }),
      compileBudgetRule({ scope: 'team:growth', limitNanos: 10, period: 'day', hard: false }),
    ];
    const counters = matchCounters(rules, facts);
    expect(counters.map((counter) => [counter.scope, counter.rules.length])).toEqual([
      [{ id: 'team:growth', limitNanos: 100, period: 'month', hard: true }, 3],
      [{ id: 'team:growth', limitNanos: 10, period: 'day', hard: false }, 1],
    ]);
  });
});

describe('formatUsd', () => {
  it('shows cents always and every significant digit', () => {
    expect(formatUsd(50_000_000_000)).toBe('$50.00');
    expect(formatUsd(49_990_000_000)).toBe('$49.99');
    expect(formatUsd(100_000_000)).toBe('$0.10');
    expect(formatUsd(15_000)).toBe('$0.000015');
    expect(formatUsd(0)).toBe('$0.00');
  });
});
