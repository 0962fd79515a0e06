import { FrugalError } from '../errors/frugal-error.js';
import { formatNanosUsd } from '../catalog/pricing.js';
import { type BudgetPeriod, BUDGET_PERIODS, checkTimeZone } from './budget-period.js';
import type { BudgetScope } from './budget-store.js';

/** One budget as configured. */
export interface BudgetRule {
  /**
   * What it counts: 'global', 'key:<key id>', 'team:<team>', 'tag:<name>=<value>'; a `*` in place of the
   * id, team or value gives each key, team or tag value a budget of its own ('key:*', 'tag:feature=*').
   */
  scope: string;
  limitNanos: number;
  period: BudgetPeriod;
  /** Hard budgets refuse calls that could pass the limit (429 budget_exceeded); soft ones alert and may downgrade. */
  hard: boolean;
  /** IANA zone whose midnight starts the period; UTC by default. */
  timeZone?: string;
  /** Percentages of the limit that raise an alert the first time spend reaches them in a period. */
  thresholds?: readonly number[];
  /** Soft budgets: the cheaper route the pipeline may switch to once this budget is used up. */
  downgradeTo?: string;
}

export const DEFAULT_ALERT_THRESHOLDS: readonly number[] = [50, 80, 100];

/** What the guard needs to know about a request to find its budgets. */
export interface BudgetFacts {
  keyId: string | null;
  team: string | null;
  tags: Readonly<Record<string, string>>;
}

/** A rule checked once at start-up, ready to be matched against requests without parsing. */
export interface CompiledRule {
  rule: BudgetRule;
  thresholds: readonly number[];
  /** The scope id this rule counts for a request, or undefined when it does not apply. */
  scopeIdFor(facts: BudgetFacts): string | undefined;
}

/** The counters one request touches, each with the rules that read it. */
export interface MatchedCounter {
  scope: BudgetScope;
  rules: CompiledRule[];
}

export function compileBudgetRule(rule: BudgetRule, path = 'budgets'): CompiledRule {
  const invalid = (why: string) => new FrugalError('config_invalid', `${path}: ${why}`);
  if (!Number.isSafeInteger(rule.limitNanos) || rule.limitNanos < 0) throw invalid(`limit must be a non-negative integer of nano-dollars, got ${rule.limitNanos}`);
  if (!BUDGET_PERIODS.includes(rule.period)) throw invalid(`period must be day, week or month, got '${String(rule.period)}'`);
  if (rule.timeZone !== undefined) {
    try {
      checkTimeZone(rule.timeZone);
    } catch {
      throw invalid(`unknown time zone '${rule.timeZone}'`);
    }
  }
  const thresholds = [...(rule.thresholds ?? DEFAULT_ALERT_THRESHOLDS)].sort((a, b) => a - b);
  for (const threshold of thresholds) {
    if (!Number.isInteger(threshold) || threshold <= 0 || threshold > 1_000) throw invalid(`thresholds are whole percentages above 0, got ${threshold}`);
  }
  if (rule.downgradeTo !== undefined && rule.hard) throw invalid('downgradeTo applies to soft budgets only');
  return { rule, thresholds, scopeIdFor: matcherFor(rule.scope, invalid) };
}

function matcherFor(scope: string, invalid: (why: string) => FrugalError): CompiledRule['scopeIdFor'] {
  if (scope === 'global') return () => 'global';
  const colon = scope.indexOf(':');
  const kind = scope.slice(0, colon);
  const target = scope.slice(colon + 1);
  if (colon <= 0 || target === '') throw invalid(`scope must be global, key:<id>, team:<name> or tag:<name>=<value>, got '${scope}'`);
  if (kind === 'key' || kind === 'team') {
    const field = kind === 'key' ? 'keyId' : 'team';
    if (target === '*') return (facts) => (facts[field] ? `${kind}:${facts[field]}` : undefined);
    return (facts) => (facts[field] === target ? scope : undefined);
  }
  if (kind === 'tag') {
    const equals = target.indexOf('=');
    const name = target.slice(0, equals);
    const value = target.slice(equals + 1);
    if (equals <= 0 || value === '') throw invalid(`a tag scope is tag:<name>=<value> or tag:<name>=*, got '${scope}'`);
    if (value === '*') {
      return (facts) => {
        const actual = facts.tags[name];
        return actual ? `tag:${name}=${actual}` : undefined;
      };
    }
    return (facts) => (facts.tags[name] === value ? scope : undefined);
  }
  throw invalid(`unknown scope kind '${kind}' in '${scope}'`);
}

/**
 * The counters a request touches. Rules that count the same thing over the same period (a soft and a
 * hard monthly budget for one team) share one counter, whose store limit is the tightest hard limit.
 */
export function matchCounters(rules: readonly CompiledRule[], facts: BudgetFacts): MatchedCounter[] {
  const counters = new Map<string, MatchedCounter>();
  for (const compiled of rules) {
    const scopeId = compiled.scopeIdFor(facts);
    if (scopeId === undefined) continue;
    const { rule } = compiled;
    const name = `${scopeId}|${rule.period}|${rule.timeZone ?? 'UTC'}`;
    const existing = counters.get(name);
    if (existing === undefined) {
      const scope: BudgetScope = { id: scopeId, limitNanos: rule.limitNanos, period: rule.period, hard: rule.hard };
      if (rule.timeZone !== undefined) scope.timeZone = rule.timeZone;
      counters.set(name, { scope, rules: [compiled] });
      continue;
    }
    existing.rules.push(compiled);
    const scope = existing.scope;
    if (rule.hard && (!scope.hard || rule.limitNanos < scope.limitNanos)) scope.limitNanos = rule.limitNanos;
    else if (!rule.hard && !scope.hard) scope.limitNanos = Math.min(scope.limitNanos, rule.limitNanos);
    scope.hard = scope.hard || rule.hard;
  }
  return [...counters.values()];
}

/** "team:growth (month)", as messages and alerts name a budget. */
export function budgetName(scopeId: string, period: BudgetPeriod): string {
  return `${scopeId} (${period})`;
}

/** Nano-dollars as "$50.00", "$0.02", "$0.000015": cents always shown, no digit lost. */
export function formatUsd(nanos: number): string {
  const [whole, fraction = ''] = formatNanosUsd(nanos).split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}
