import { periodWindow } from '../budget/budget-period.js';
import { scopeGroup } from '../budget/ledger-spend-seed.js';
import type { BudgetSettings } from '../config/gateway-config.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import { formatQualityJson, joinQuality } from '../feedback/quality-report.js';
import type { KeyStore } from '../keys/key-store.js';
import type { LedgerReader, RollupReportRow } from '../ledger/ledger-reader.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import type { ReportDimension, ReportQuery, ReportRow } from '../ledger/ledger-store.js';
import type { ReportFilter } from '../ledger/report-filter.js';
import { formatReportCsv, formatReportJson, totalReport } from '../ledger/report-format.js';
import type { CircuitStates } from './circuit-states.js';
import type { DashboardViewer } from './dashboard-session.js';
import type { QualityExtrasSources } from './quality-extras.js';
import type { RecentAlerts } from './recent-alerts.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What the pages read. Every sum comes from the ledger reader, so it equals `frugal report` for the same window. */
export interface DashboardSources extends QualityExtrasSources {
  reader: LedgerReader;
  /** The alerts the webhook delivered since start-up. */
  alerts?: RecentAlerts;
  feedback?: FeedbackStore;
  keys?: KeyStore;
  /** The budgets in force now (a live reload may change them). */
  budgets: () => readonly BudgetSettings[];
  /** spend_control.default_key_limits in force now: a key without limits of its own has these. */
  defaultKeyLimits?: () => { rpm: number | undefined; tpm: number | undefined };
  circuits?: CircuitStates;
  now: () => number;
}

export interface Window {
  since?: number;
  until?: number;
}

/** A virtual key's view is its own rows: its key id is added to every filter, whatever the page asked. */
function scoped(viewer: DashboardViewer, where: readonly ReportFilter[] = []): ReportFilter[] {
  return viewer.kind === 'key' ? [...where.filter((filter) => filter.dimension !== 'key'), { dimension: 'key', value: viewer.keyId }] : [...where];
}

/** The report as `frugal report --json` prints it: exact strings for money, plus mean latencies per group. */
function reportJson(rows: readonly RollupReportRow[], by: string) {
  const json = JSON.parse(formatReportJson(rows, by)) as { by: string; rows: Array<Record<string, unknown>>; total: Record<string, unknown> };
  json.rows.forEach((row, index) => {
    const source = rows[index];
    row.meanLatencyMs = source.requests === 0 ? null : source.latencyMsSum / source.requests;
    row.meanTtftMs = source.ttftCount === 0 ? null : source.ttftMsSum / source.ttftCount;
  });
  return json;
}

function totalJson(rows: readonly ReportRow[]) {
  return (JSON.parse(formatReportJson(rows, 'total')) as { total: Record<string, unknown> }).total;
}

/** Hours for a window of two days or less, days otherwise: a chart of a few dozen points either way. */
export function bucketFor({ since, until }: Window, now: number): 'hour' | 'day' {
  return (until ?? now) - (since ?? 0) <= 2 * DAY_MS ? 'hour' : 'day';
}

const SPLIT = ' / ';

/** Rows of a `by bucket then X` report as { bucket, group, row }: bucket labels never hold ' / '. */
function splitGroups(rows: readonly ReportRow[]) {
  return rows.map((row) => {
    const label = row.group ?? '';
    const at = label.indexOf(SPLIT);
    return { bucket: label.slice(0, at), group: label.slice(at + SPLIT.length), row };
  });
}

export async function overviewData(sources: DashboardSources, viewer: DashboardViewer, until = sources.now()) {
  const where = scoped(viewer);
  const periods = [
    { name: '24h', ms: DAY_MS },
    { name: '7d', ms: 7 * DAY_MS },
    { name: '30d', ms: 30 * DAY_MS },
  ];
  const windows = await Promise.all(
    periods.map(async ({ name, ms }) => {
      const [current, previous] = await Promise.all([
        sources.reader.report({ by: 'status', since: until - ms, until, where }),
        sources.reader.report({ by: 'status', since: until - 2 * ms, until: until - ms, where }),
      ]);
      const latency = current.reduce((sum, row) => sum + row.latencyMsSum, 0);
      const requests = current.reduce((sum, row) => sum + row.requests, 0);
      return { name, since: until - ms, until, current: totalJson(current), previous: totalJson(previous), meanLatencyMs: requests === 0 ? null : latency / requests };
    }),
  );
  const series = await sources.reader.report({ by: 'day', since: until - 30 * DAY_MS, until, where });
  return { until, windows, savingsByDay: reportJson(series, 'day') };
}

export interface SpendQuery extends Window {
  by: ReportDimension;
  then?: ReportDimension;
  where?: ReportFilter[];
  /** Groups drawn over time (the most expensive). */
  top?: number;
}

const TIME_DIMENSIONS: ReadonlySet<ReportDimension> = new Set(['hour', 'day', 'week'] as ReportDimension[]);

export function spendQueryOf(viewer: DashboardViewer, query: SpendQuery): ReportQuery {
  return { by: query.by, then: query.then, since: query.since, until: query.until, where: scoped(viewer, query.where) };
}

export async function spendCsv(sources: DashboardSources, viewer: DashboardViewer, query: SpendQuery): Promise<string> {
  const rows = await sources.reader.report(spendQueryOf(viewer, query));
  return formatReportCsv(rows, query.then === undefined ? query.by : `${query.by}/${query.then}`);
}

export async function spendData(sources: DashboardSources, viewer: DashboardViewer, query: SpendQuery) {
  const report = spendQueryOf(viewer, query);
  const rows = await sources.reader.report(report);
  const label = query.then === undefined ? query.by : `${query.by}/${query.then}`;
  const bucket = bucketFor(query, sources.now());
  let series: Array<{ bucket: string; group: string; costNanos: string }> = [];
  if (query.then === undefined && !TIME_DIMENSIONS.has(query.by)) {
    const top = new Set(rows.slice(0, query.top ?? 6).map((row) => row.group ?? '(none)'));
    const overTime = await sources.reader.report({ ...report, by: bucket, then: query.by });
    series = splitGroups(overTime)
      .filter(({ group }) => top.has(group))
      .map(({ bucket: at, group, row }) => ({ bucket: at, group, costNanos: row.costNanos.toString() }));
  }
  return { ...reportJson(rows, label), bucket, series };
}

/** A decision path that escalated: a cascade tier's answer was turned down (`cascade:tier(fail:…)`). */
export function escalated(path: string | null): boolean {
  return path !== null && path.includes('cascade:');
}

/** A decision path that fell back: a candidate failed outside a cascade (`fallback:model(fail:…)`). */
export function fellBack(path: string | null): boolean {
  return path !== null && path.split('>').some((segment) => !segment.startsWith('cascade') && segment.includes('(fail:'));
}

export async function routingData(sources: DashboardSources, viewer: DashboardViewer, window: Window) {
  const where = scoped(viewer);
  const bucket = bucketFor(window, sources.now());
  const [mix, paths, overTime] = await Promise.all([
    sources.reader.report({ by: 'route', then: 'model', ...window, where }),
    sources.reader.report({ by: 'path', ...window, where }),
    sources.reader.report({ by: bucket, then: 'path', ...window, where }),
  ]);
  const rates = new Map<string, { bucket: string; requests: number; escalated: number; fellBack: number }>();
  for (const { bucket: at, group, row } of splitGroups(overTime)) {
    const entry = rates.get(at) ?? { bucket: at, requests: 0, escalated: 0, fellBack: 0 };
    const path = group === '(none)' ? null : group;
    entry.requests += row.requests;
    if (escalated(path)) entry.escalated += row.requests;
    if (fellBack(path)) entry.fellBack += row.requests;
    rates.set(at, entry);
  }
  return {
    mix: reportJson(mix, 'route/model'),
    paths: reportJson(paths, 'path'),
    bucket,
    rates: [...rates.values()],
    // Breakers are the gateway's, not a key's: shown to the master key only.
    circuits: viewer.kind === 'key' ? null : ((await sources.circuits?.now()) ?? []),
  };
}

export async function cacheData(sources: DashboardSources, viewer: DashboardViewer, window: Window) {
  const where = scoped(viewer);
  const bucket = bucketFor(window, sources.now());
  const [byRoute, overTime, promptOrder] = await Promise.all([
    sources.reader.report({ by: 'route', then: 'cache', ...window, where }),
    sources.reader.report({ by: bucket, then: 'cache', ...window, where }),
    sources.reader.report({ by: 'route', then: 'prompt_order', ...window, where }),
  ]);
  return { byRoute: reportJson(byRoute, 'route/cache'), bucket, overTime: reportJson(overTime, `${bucket}/cache`), promptOrder: reportJson(promptOrder, 'route/prompt_order') };
}

/** The report filter a budget rule counts, or undefined for scopes the ledger cannot group (other tags). */
function scopeFilter(scope: string): { where: ReportFilter[]; each?: ReportDimension } | undefined {
  const group = scopeGroup(scope);
  if (group === undefined) return undefined;
  if (group === null) return { where: [] };
  return group.value === '*' ? { where: [], each: group.dimension } : { where: [group] };
}

export async function budgetsData(sources: DashboardSources, viewer: DashboardViewer) {
  const at = sources.now();
  const budgets = [];
  for (const budget of sources.budgets()) {
    if (viewer.kind === 'key' && budget.scope !== `key:${viewer.keyId}` && budget.scope !== 'key:*') continue;
    const window = periodWindow(budget.period, at, budget.timeZone);
    const filter = scopeFilter(budget.scope);
    const lines: Array<{ scope: string; spent: bigint }> = [];
    if (filter) {
      const where = scoped(viewer, filter.where);
      const rows = await sources.reader.report({ by: filter.each ?? 'status', since: window.start, until: window.end, where });
      // 'key:*' gives each key a budget: requests without a key (or without the tag) count against none of them.
      if (filter.each) {
        for (const row of rows) if (row.group !== null) lines.push({ scope: budget.scope.replace('*', row.group), spent: row.costNanos });
      } else lines.push({ scope: budget.scope, spent: totalReport(rows).costNanos });
    }
    for (const { scope, spent } of lines) {
      const elapsed = Math.max(at - window.start, 1);
      const limit = BigInt(budget.limitNanos);
      // Straight-line burn: at the period's pace so far, when the limit is reached (null: not within this period).
      const runsOutAt = spent >= limit ? at : spent === 0n ? null : window.start + Number(((limit * BigInt(elapsed)) / spent));
      budgets.push({
        scope,
        period: budget.period,
        periodId: window.id,
        periodStart: window.start,
        periodEnd: window.end,
        hard: budget.hard,
        limitNanos: limit.toString(),
        spentNanos: spent.toString(),
        projectedRunOut: runsOutAt !== null && runsOutAt < window.end ? new Date(runsOutAt).toISOString() : null,
      });
    }
    if (!filter) budgets.push({ scope: budget.scope, period: budget.period, periodId: window.id, periodStart: window.start, periodEnd: window.end, hard: budget.hard, limitNanos: String(budget.limitNanos), spentNanos: null, projectedRunOut: null });
  }
  const keys = [];
  const listed = sources.keys ? await sources.keys.list({ includeRevoked: false }) : [];
  const defaults = sources.defaultKeyLimits?.();
  const spend30d = await sources.reader.report({ by: 'key', since: at - 30 * DAY_MS, until: at, where: scoped(viewer) });
  const spentBy = new Map(spend30d.map((row) => [row.group, row]));
  for (const key of listed) {
    if (viewer.kind === 'key' && key.id !== viewer.keyId) continue;
    let periodSpent: string | null = null;
    if (key.budget) {
      const window = periodWindow(key.budget.period as 'day' | 'week' | 'month', at);
      const rows = await sources.reader.report({ by: 'status', since: window.start, until: window.end, where: [{ dimension: 'key', value: key.id }] });
      periodSpent = totalReport(rows).costNanos.toString();
    }
    const [last] = await sources.reader.latest({ limit: 1, keyId: key.id });
    const row = spentBy.get(key.id);
    // The key's public id and settings only: no secret, no hash, ever.
    keys.push({
      id: key.id,
      name: key.name,
      team: key.team,
      budgetUsd: key.budget?.limitUsd ?? null,
      budgetPeriod: key.budget?.period ?? null,
      budgetHard: key.budget?.hard ?? null,
      periodSpentNanos: periodSpent,
      // What the key is limited to: its own limits, else the deployment's defaults (null: no limit).
      rpm: key.rateLimits.rpm ?? defaults?.rpm ?? null,
      tpm: key.rateLimits.tpm ?? defaults?.tpm ?? null,
      requests30d: row?.requests ?? 0,
      spent30dNanos: (row?.costNanos ?? 0n).toString(),
      lastUsed: last ? new Date(last.ts).toISOString() : null,
    });
  }
  // Alerts sent since start-up; a virtual key sees its own budget's only.
  const sent = ((await sources.alerts?.list()) ?? []).filter((alert) => viewer.kind !== 'key' || alert.scope === `key:${viewer.keyId}`);
  return { at, budgets, keys, alerts: { since: sources.alerts ? new Date(sources.alerts.since).toISOString() : null, sent } };
}

export async function qualityData(sources: DashboardSources, viewer: DashboardViewer, window: Window & { name?: string }) {
  // Scores are joined per group over every key: shown to the master key only.
  if (viewer.kind === 'key' || !sources.feedback) return { available: false, byRoute: null, byModel: null };
  const name = window.name ?? 'default';
  const pages = await Promise.all(
    (['route', 'model'] as const).map(async (by) => {
      const [rows, stats] = await Promise.all([sources.reader.report({ by, since: window.since, until: window.until }), sources.feedback!.scoreStats({ by, since: window.since, until: window.until, name })]);
      return JSON.parse(formatQualityJson(joinQuality(rows, stats, by), by, name)) as unknown;
    }),
  );
  return { available: true, byRoute: pages[0], byModel: pages[1] };
}

/** A ledger row as the Live page shows it: every field but none secret (keyId is a key's public id). */
function liveRow(row: LedgerRow) {
  const { tokenReduction, ...rest } = row;
  return { ...rest, tokenReduction, time: new Date(row.ts).toISOString() };
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function liveData(sources: DashboardSources, viewer: DashboardViewer, limit = 50) {
  const rows = await sources.reader.latest({ limit, keyId: viewer.kind === 'key' ? viewer.keyId : undefined });
  const latency = rows.map((row) => row.latencyMs).sort((a, b) => a - b);
  const ttft = rows.flatMap((row) => (row.ttftMs === null ? [] : [row.ttftMs])).sort((a, b) => a - b);
  return {
    rows: rows.map(liveRow),
    latency: { p50: percentile(latency, 50), p95: percentile(latency, 95), ttftP50: percentile(ttft, 50), ttftP95: percentile(ttft, 95) },
  };
}
