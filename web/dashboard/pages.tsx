import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';
import { Chart, colorAt } from './chart.js';
import { percent, usd, usdFloat } from './money.js';
import { ExperimentSection, ReviewQueue } from './quality-extras.js';
import { MECHANISMS, type ReportJson, type ReportJsonRow } from './report-types.js';
import { type Column, Table } from './table.js';

export const DIMENSIONS = ['feature', 'team', 'key', 'model', 'provider', 'route', 'path', 'task', 'status', 'cache', 'prompt_order', 'hour', 'day', 'week'];
const DAY = 86_400_000;

/** Loads a JSON endpoint whenever `path` changes (and every `everyMs` when given). */
function useApi<T>(path: string, everyMs?: number): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let live = true;
    const load = () =>
      getJson<T>(path).then(
        (data) => live && setState({ data }),
        (error: Error) => live && setState({ error: error.message }),
      );
    void load();
    const timer = everyMs ? setInterval(load, everyMs) : undefined;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [path, everyMs]);
  return state;
}

function Loading({ state }: { state: { error?: string } }) {
  return state.error ? <p role="alert" class="error">Could not load: {state.error}</p> : <p aria-live="polite">Loading…</p>;
}

const Money = ({ nanos }: { nanos: string | null | undefined }) => (
  <span class="money" data-nanos={nanos ?? ''}>
    {usd(nanos)}
  </span>
);

/** The window a page shows: since/until from the URL (ms or a duration like 7d), else the last 7 days. */
export function windowQuery(params: URLSearchParams): string {
  const query = new URLSearchParams();
  query.set('since', params.get('since') ?? '7d');
  if (params.get('until')) query.set('until', params.get('until')!);
  return query.toString();
}

const spendColumns = (first: string): Array<Column<ReportJsonRow>> => [
  { title: first, cell: (row) => row.group ?? (row.group === null ? '(none)' : 'TOTAL') },
  { title: 'Requests', cell: (row) => row.requests, numeric: true },
  { title: 'Errors', cell: (row) => row.errors, numeric: true },
  { title: 'Prompt tokens', cell: (row) => row.promptTokens, numeric: true },
  { title: 'Completion tokens', cell: (row) => row.completionTokens, numeric: true },
  { title: 'Spend', cell: (row) => <Money nanos={row.costNanos} />, numeric: true },
  { title: 'Saved', cell: (row) => <Money nanos={row.savedNanos} />, numeric: true },
  { title: 'Baseline', cell: (row) => <Money nanos={row.baselineNanos} />, numeric: true },
  { title: 'Caller’s choice (not a saving)', cell: (row) => <Money nanos={row.callerChoiceNanos} />, numeric: true },
];

interface Overview {
  until: number;
  windows: Array<{ name: string; since: number; until: number; current: ReportJsonRow; previous: ReportJsonRow; meanLatencyMs: number | null }>;
  savingsByDay: ReportJson;
}

function change(current: string, previous: string): string {
  const now = BigInt(current);
  const before = BigInt(previous);
  if (before === 0n) return now === 0n ? 'no change' : 'new';
  const delta = Number(((now - before) * 1000n) / before) / 10;
  return `${delta >= 0 ? '+' : ''}${delta.toFixed(1)}% vs previous`;
}

export function OverviewPage({ params }: { params: URLSearchParams }) {
  const until = params.get('until');
  const state = useApi<Overview>(`/admin/api/overview${until ? `?until=${encodeURIComponent(until)}` : ''}`);
  if (!state.data) return <Loading state={state} />;
  const { windows, savingsByDay } = state.data;
  const days = savingsByDay.rows;
  return (
    <>
      <h1>Overview</h1>
      <div class="cards">
        {windows.map((window) => (
          <section class="card" aria-labelledby={`card-${window.name}`} data-window={window.name}>
            <h2 id={`card-${window.name}`}>Last {window.name}</h2>
            <p class="big">
              <Money nanos={window.current.costNanos} /> <span class="label">spend</span>
            </p>
            <p>{change(window.current.costNanos, window.previous.costNanos)}</p>
            <p>
              <span data-field="requests">{window.current.requests}</span> requests · error rate {percent(window.current.errors, window.current.requests)}
              {window.meanLatencyMs !== null && ` · mean latency ${window.meanLatencyMs.toFixed(0)} ms`}
            </p>
            <p>
              Saved <Money nanos={window.current.savedNanos} /> of a <Money nanos={window.current.baselineNanos} /> baseline ({percent(BigInt(window.current.savedNanos), BigInt(window.current.baselineNanos))})
            </p>
          </section>
        ))}
      </div>
      <h2>Saved against the baseline, by mechanism (last 30 days)</h2>
      <Chart
        label="Savings per day, stacked by mechanism"
        stacked
        unit="$"
        x={days.map((row) => Date.parse(`${row.group}T00:00:00Z`) / 1000)}
        series={MECHANISMS.map((mechanism, index) => ({ label: mechanism.label, color: colorAt(index), values: days.map((row) => usdFloat(row[mechanism.key] as string | undefined)) }))}
      />
      <Table
        caption="Savings by mechanism, per day"
        columns={[
          { title: 'Day', cell: (row: ReportJsonRow) => row.group ?? 'TOTAL' },
          ...MECHANISMS.map((mechanism) => ({ title: mechanism.label, cell: (row: ReportJsonRow) => <Money nanos={row[mechanism.key] as string | undefined} />, numeric: true })),
          { title: 'Saved', cell: (row: ReportJsonRow) => <Money nanos={row.savedNanos} />, numeric: true },
          { title: 'Caller’s choice', cell: (row: ReportJsonRow) => <Money nanos={row.callerChoiceNanos} />, numeric: true },
        ]}
        rows={days}
        total={savingsByDay.total}
      />
      <p class="rule">
        Savings count only what Frugal decided: a routed request is measured against its route’s baseline model, a request that named a model against that model. What callers saved by naming a cheaper model themselves is shown apart, never as a saving.
      </p>
    </>
  );
}

interface Spend extends ReportJson {
  bucket: 'hour' | 'day';
  series: Array<{ bucket: string; group: string; costNanos: string }>;
}

export function SpendPage({ params, update }: { params: URLSearchParams; update: (changes: Record<string, string | null>) => void }) {
  const by = params.get('by') ?? 'model';
  const then = params.get('then') ?? '';
  const where = params.getAll('where');
  const query = new URLSearchParams(windowQuery(params));
  query.set('by', by);
  if (then) query.set('then', then);
  for (const filter of where) query.append('where', filter);
  const state = useApi<Spend>(`/admin/api/spend?${query}`);
  const [filterText, setFilterText] = useState(where.join(', '));
  const csv = new URLSearchParams(query);
  csv.set('format', 'csv');
  const buckets = state.data ? [...new Set(state.data.series.map((point) => point.bucket))] : [];
  const groups = state.data ? [...new Set(state.data.series.map((point) => point.group))] : [];
  const at = (bucket: string) => Date.parse(bucket.length === 10 ? `${bucket}T00:00:00Z` : bucket.replace(':00Z', ':00:00Z')) / 1000;
  return (
    <>
      <h1>Spend explorer</h1>
      <form
        class="controls"
        onSubmit={(event) => {
          event.preventDefault();
          update({ where: filterText });
        }}
      >
        <label>
          By <Select value={by} options={DIMENSIONS} onChange={(value) => update({ by: value })} name="by" />
        </label>
        <label>
          Then <Select value={then} options={['', ...DIMENSIONS]} onChange={(value) => update({ then: value || null })} name="then" />
        </label>
        <RangePicker params={params} update={update} />
        <label>
          Filter <input name="where" value={filterText} placeholder="team=growth" onInput={(event) => setFilterText((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Apply</button>
        <a class="button" href={`/admin/api/spend?${csv}`} download>
          Download CSV
        </a>
      </form>
      {!state.data ? (
        <Loading state={state} />
      ) : (
        <>
          {groups.length > 0 && (
            <Chart
              label={`Spend per ${state.data.bucket} by ${by}, top ${groups.length}`}
              unit="$"
              x={buckets.map(at)}
              series={groups.map((group, index) => ({ label: group, color: colorAt(index), values: buckets.map((bucket) => usdFloat(state.data!.series.find((point) => point.bucket === bucket && point.group === group)?.costNanos)) }))}
            />
          )}
          <Table caption={`Spend by ${state.data.by}`} columns={spendColumns(state.data.by)} rows={state.data.rows} total={state.data.total} />
        </>
      )}
    </>
  );
}

function Select({ value, options, onChange, name }: { value: string; options: string[]; onChange: (value: string) => void; name: string }) {
  return (
    <select name={name} value={value} onChange={(event) => onChange((event.target as HTMLSelectElement).value)}>
      {options.map((option) => (
        <option value={option}>{option || '(none)'}</option>
      ))}
    </select>
  );
}

const RANGES = ['24h', '7d', '30d', '90d'];

export function RangePicker({ params, update }: { params: URLSearchParams; update: (changes: Record<string, string | null>) => void }) {
  const since = params.get('since') ?? '7d';
  const custom = !RANGES.includes(since) || params.get('until') !== null;
  return (
    <label>
      Range{' '}
      <select name="range" value={custom ? 'custom' : since} onChange={(event) => update({ since: (event.target as HTMLSelectElement).value, until: null })}>
        {RANGES.map((range) => (
          <option value={range}>last {range}</option>
        ))}
        {custom && <option value="custom">custom window</option>}
      </select>
    </label>
  );
}

interface Routing {
  mix: ReportJson;
  paths: ReportJson;
  bucket: string;
  rates: Array<{ bucket: string; requests: number; escalated: number; fellBack: number }>;
  circuits: Array<{ deployment: string; state: string; since: number }> | null;
}

export function RoutingPage({ params, update }: { params: URLSearchParams; update: (changes: Record<string, string | null>) => void }) {
  const state = useApi<Routing>(`/admin/api/routing?${windowQuery(params)}`);
  return (
    <>
      <h1>Routing</h1>
      <div class="controls">
        <RangePicker params={params} update={update} />
      </div>
      {!state.data ? (
        <Loading state={state} />
      ) : (
        <>
          <Chart
            label={`Escalation and fallback rate per ${state.data.bucket}`}
            unit=""
            x={state.data.rates.map((rate) => Date.parse(rate.bucket.length === 10 ? `${rate.bucket}T00:00:00Z` : rate.bucket.replace(':00Z', ':00:00Z')) / 1000)}
            series={[
              { label: 'escalated %', color: colorAt(0), values: state.data.rates.map((rate) => (rate.requests ? (100 * rate.escalated) / rate.requests : null)) },
              { label: 'fell back %', color: colorAt(1), values: state.data.rates.map((rate) => (rate.requests ? (100 * rate.fellBack) / rate.requests : null)) },
            ]}
          />
          <Table caption="Served models per route" columns={spendColumns('Route / model')} rows={state.data.mix.rows} total={state.data.mix.total} />
          <Table caption="Decision paths" columns={spendColumns('Path')} rows={state.data.paths.rows} />
          {state.data.circuits && (
            <Table
              caption="Circuit breakers now (deployments not listed are closed)"
              empty="Every circuit is closed (no breaker has opened since the gateway started)."
              columns={[
                { title: 'Deployment', cell: (row) => row.deployment },
                { title: 'State', cell: (row) => row.state },
                { title: 'Since', cell: (row) => new Date(row.since).toISOString() },
              ]}
              rows={state.data.circuits}
            />
          )}
        </>
      )}
    </>
  );
}

interface Cache {
  byRoute: ReportJson;
  bucket: string;
  overTime: ReportJson;
  promptOrder: ReportJson;
}

const HITS = new Set(['hit', 'semantic-hit']);

export function CachePage({ params, update }: { params: URLSearchParams; update: (changes: Record<string, string | null>) => void }) {
  const state = useApi<Cache>(`/admin/api/cache?${windowQuery(params)}`);
  if (!state.data) return <Loading state={state} />;
  const routes = new Map<string, { route: string; requests: number; hits: number; semantic: number; saved: bigint }>();
  for (const row of state.data.byRoute.rows) {
    const [route, status] = (row.group ?? '').split(' / ');
    const entry = routes.get(route) ?? { route, requests: 0, hits: 0, semantic: 0, saved: 0n };
    entry.requests += row.requests;
    if (status === 'hit') entry.hits += row.requests;
    if (status === 'semantic-hit') entry.semantic += row.requests;
    entry.saved += BigInt(row.savedCacheNanos);
    routes.set(route, entry);
  }
  const buckets = new Map<string, { requests: number; hits: number }>();
  for (const row of state.data.overTime.rows) {
    const [bucket, status] = (row.group ?? '').split(' / ');
    const entry = buckets.get(bucket) ?? { requests: 0, hits: 0 };
    entry.requests += row.requests;
    if (HITS.has(status)) entry.hits += row.requests;
    buckets.set(bucket, entry);
  }
  const warned = state.data.promptOrder.rows.filter((row) => (row.group ?? '').endsWith('variable-before-static'));
  return (
    <>
      <h1>Cache</h1>
      <div class="controls">
        <RangePicker params={params} update={update} />
      </div>
      <Chart
        label={`Cache hit rate per ${state.data.bucket}`}
        x={[...buckets.keys()].map((bucket) => Date.parse(bucket.length === 10 ? `${bucket}T00:00:00Z` : bucket.replace(':00Z', ':00:00Z')) / 1000)}
        series={[{ label: 'hit rate %', color: colorAt(2), values: [...buckets.values()].map((entry) => (entry.requests ? (100 * entry.hits) / entry.requests : null)) }]}
      />
      <Table
        caption="Hit rates and dollars saved by the response cache, per route"
        columns={[
          { title: 'Route', cell: (row) => row.route || '(none)' },
          { title: 'Requests', cell: (row) => row.requests, numeric: true },
          { title: 'Exact hit rate', cell: (row) => percent(row.hits, row.requests), numeric: true },
          { title: 'Semantic hit rate', cell: (row) => percent(row.semantic, row.requests), numeric: true },
          { title: 'Saved by cache', cell: (row) => <Money nanos={row.saved.toString()} />, numeric: true },
        ]}
        rows={[...routes.values()]}
      />
      <Table caption="Prompt-order warnings: variable content before a long static block (provider prompt caches cannot reuse it)" columns={spendColumns('Route / prompt order')} rows={warned} />
    </>
  );
}

interface Budgets {
  budgets: Array<{ scope: string; period: string; periodId: string; periodEnd: number; hard: boolean; limitNanos: string; spentNanos: string | null; projectedRunOut: string | null }>;
  keys: Array<{ id: string; name: string; team: string | null; budgetUsd: string | null; budgetPeriod: string | null; periodSpentNanos: string | null; rpm: number | null; tpm: number | null; requests30d: number; spent30dNanos: string; lastUsed: string | null }>;
  alerts: { since: string | null; sent: Array<{ type: string; scope: string | null; text: string; sentAt: string }> };
}

export function BudgetsPage() {
  const state = useApi<Budgets>('/admin/api/budgets');
  if (!state.data) return <Loading state={state} />;
  return (
    <>
      <h1>Budgets and keys</h1>
      <Table
        caption="Budgets this period"
        columns={[
          { title: 'Budget', cell: (row) => `${row.scope} (${row.period}${row.hard ? ', hard' : ''})` },
          { title: 'Period', cell: (row) => row.periodId },
          { title: 'Spent', cell: (row) => <Money nanos={row.spentNanos} />, numeric: true },
          { title: 'Limit', cell: (row) => <Money nanos={row.limitNanos} />, numeric: true },
          {
            title: 'Used',
            cell: (row) =>
              row.spentNanos === null ? 'n/a' : (
                <>
                  <meter min={0} max={Number(row.limitNanos)} value={Number(row.spentNanos)} aria-label={`${row.scope} used`} /> {percent(BigInt(row.spentNanos), BigInt(row.limitNanos))}
                </>
              ),
          },
          { title: 'Runs out (at this pace)', cell: (row) => row.projectedRunOut ?? 'not this period' },
        ]}
        rows={state.data.budgets}
      />
      <Table
        caption="Virtual keys (public ids only; a key itself is never shown)"
        columns={[
          { title: 'Key', cell: (row) => `${row.name} (${row.id})` },
          { title: 'Team', cell: (row) => row.team ?? '–' },
          { title: 'Requests, 30 days', cell: (row) => row.requests30d, numeric: true },
          { title: 'Spent, 30 days', cell: (row) => <Money nanos={row.spent30dNanos} />, numeric: true },
          { title: 'Budget', cell: (row) => (row.budgetUsd ? `$${row.budgetUsd} / ${row.budgetPeriod}` : 'none') },
          { title: 'Spent this period', cell: (row) => <Money nanos={row.periodSpentNanos} />, numeric: true },
          { title: 'Limits', cell: (row) => `${row.rpm ?? '∞'} rpm, ${row.tpm ?? '∞'} tpm` },
          { title: 'Last used', cell: (row) => row.lastUsed ?? 'never' },
        ]}
        rows={state.data.keys}
      />
      <Table
        caption={`Alerts sent${state.data.alerts.since ? ` since start-up (${state.data.alerts.since})` : ''}, newest first`}
        empty="No alert sent since start-up."
        columns={[
          { title: 'Sent', cell: (row) => row.sentAt },
          { title: 'Kind', cell: (row) => row.type },
          { title: 'Budget or route', cell: (row) => row.scope ?? '–' },
          { title: 'Alert', cell: (row) => row.text },
        ]}
        rows={state.data.alerts.sent}
      />
    </>
  );
}

interface QualityJson {
  rows: Array<{ group: string | null; requests: number; costNanos: string; scored: number; meanScore: number | null; ci95: [number, number] | null; interval: string | null }>;
}

export function QualityPage({ params, update }: { params: URLSearchParams; update: (changes: Record<string, string | null>) => void }) {
  const state = useApi<{ available: boolean; byRoute: QualityJson | null; byModel: QualityJson | null }>(`/admin/api/quality?${windowQuery(params)}`);
  if (!state.data) return <Loading state={state} />;
  if (!state.data.available) return <><h1>Quality</h1><p>Feedback scores are shown to the master key, on a gateway with a ledger.</p></>;
  const columns: Array<Column<QualityJson['rows'][number]>> = [
    { title: 'Group', cell: (row) => row.group ?? '(none)' },
    { title: 'Requests', cell: (row) => row.requests, numeric: true },
    { title: 'Spend', cell: (row) => <Money nanos={row.costNanos} />, numeric: true },
    { title: 'Scored', cell: (row) => row.scored, numeric: true },
    { title: 'Mean score', cell: (row) => (row.meanScore === null ? '–' : row.meanScore.toFixed(3)), numeric: true },
    { title: '95% interval', cell: (row) => (row.ci95 ? `${row.ci95[0].toFixed(3)}–${row.ci95[1].toFixed(3)} (${row.interval})` : '–') },
  ];
  return (
    <>
      <h1>Quality</h1>
      <div class="controls">
        <RangePicker params={params} update={update} />
      </div>
      <Table caption="Feedback scores per route" columns={columns} rows={state.data.byRoute!.rows} />
      <Table caption="Feedback scores per model" columns={columns} rows={state.data.byModel!.rows} />
      <p class="rule">Compare intervals, not means: a group with few scored requests has a wide interval.</p>
      <ExperimentSection window={windowQuery(params)} name={params.get('experiment')} choose={(name) => update({ experiment: name })} />
      <ReviewQueue />
    </>
  );
}

type LiveRow = Record<string, unknown> & { id: string; time: string; keyId: string | null; routeTrace: string | null; servedModel: string | null; promptTokens: number; completionTokens: number; costNanos: number; latencyMs: number; status: string };

export function LivePage() {
  const state = useApi<{ rows: LiveRow[]; latency: Record<string, number | null> }>('/admin/api/live?limit=50', 2_000);
  const [open, setOpen] = useState<LiveRow | undefined>();
  if (!state.data) return <Loading state={state} />;
  const { latency } = state.data;
  const ms = (value: number | null) => (value === null ? '–' : `${value.toFixed(0)} ms`);
  return (
    <>
      <h1>Live</h1>
      <p aria-live="polite">
        Latest {state.data.rows.length} requests, refreshed every 2 s. Latency p50 {ms(latency.p50)}, p95 {ms(latency.p95)}; time to first token p50 {ms(latency.ttftP50)}, p95 {ms(latency.ttftP95)}.
      </p>
      <Table
        caption="Latest requests (select one for its full ledger row)"
        onRow={setOpen}
        columns={[
          { title: 'Time', cell: (row) => row.time },
          { title: 'Key', cell: (row) => row.keyId ?? '–' },
          { title: 'Route trace', cell: (row) => row.routeTrace ?? '–' },
          { title: 'Model', cell: (row) => row.servedModel ?? '–' },
          { title: 'Tokens', cell: (row) => `${row.promptTokens} + ${row.completionTokens}`, numeric: true },
          { title: 'Cost', cell: (row) => <Money nanos={String(row.costNanos)} />, numeric: true },
          { title: 'Latency', cell: (row) => ms(row.latencyMs), numeric: true },
          { title: 'Status', cell: (row) => row.status },
        ]}
        rows={state.data.rows}
      />
      {open && (
        <section class="detail" aria-label="Ledger row">
          <h2>Request {open.id}</h2>
          <button type="button" onClick={() => setOpen(undefined)}>
            Close
          </button>
          <pre>{JSON.stringify(open, null, 2)}</pre>
        </section>
      )}
    </>
  );
}
