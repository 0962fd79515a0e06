import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { channels, publish, publishRequestFinished, publishUpstreamError } from './events.js';
import { createPrometheusMetrics, type PrometheusMetrics } from './prometheus-metrics.js';

const config = validateConfig(
  {
    providers: { sim: { kind: 'simulated' } },
    models: [
      { name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } },
      { name: 'strong', provider: 'sim', price: { input: 2, output: 2 } },
    ],
    routes: { smart: { strategy: 'map', tasks: { triage: 'cheap' }, default: 'strong' } },
  },
  { env: {} },
);
const PASTED_KEY = 'fk-vk_pasted-into-model-0123456789abcdef';

let metrics: PrometheusMetrics | undefined;
afterEach(() => metrics?.close());

function row(fields: Partial<LedgerRow>): LedgerRow {
  return {
    id: 'r1', ts: 0, keyId: null, user: null, tags: {}, requestedModel: 'cheap', servedModel: null, provider: null, stream: false,
    promptTokens: 3, completionTokens: 2, cachedTokens: 0, cacheCreationTokens: 0, tokensEstimated: false, costNanos: 10,
    savedNanos: 0, baselineNanos: 0, savedRoutingNanos: 0, savedCacheNanos: 0, savedCompressionNanos: 0, savedPromptCacheNanos: 0, savedBatchNanos: 0, savedBatchingNanos: 0, callerChoiceNanos: 0,
    latencyMs: 5, ttftMs: null, status: 'ok', httpStatus: 200, errorCode: null, cacheStatus: null, routeTrace: null, task: null,
    tokenReduction: null, warnings: [], serviceTier: null, batchId: null, overhead: null, experiment: null, arm: null, ...fields,
  };
}

/** Every label value of every series in the registry, names of the process metrics left out. */
async function labelValues(of: PrometheusMetrics): Promise<string[]> {
  const values: string[] = [];
  for (const metric of await of.registry.getMetricsAsJSON()) {
    if (/^frugal_(process|nodejs)_/.test(metric.name)) continue;
    for (const value of metric.values) values.push(...Object.values(value.labels).map(String));
  }
  return values;
}

describe('Prometheus labels', () => {
  it('label served requests with the configured model and provider names', async () => {
    metrics = createPrometheusMetrics(config);
    publishRequestFinished({ row: row({ servedModel: 'cheap', provider: 'sim' }) });
    const text = await metrics.registry.metrics();
    expect(text).toContain('frugal_requests_total{model="cheap",provider="sim",status="ok"} 1');
  });

  it('put a failed call to a configured route under its name, and any name a client made up under other', async () => {
    metrics = createPrometheusMetrics(config);
    publishRequestFinished({ row: row({ requestedModel: 'smart', status: 'error' }) });
    publishRequestFinished({ row: row({ requestedModel: PASTED_KEY, status: 'error' }) });
    publishRequestFinished({ row: row({ requestedModel: 'made-up-model', status: 'error' }) });
    const text = await metrics.registry.metrics();
    expect(text).toContain('frugal_requests_total{model="smart",provider="none",status="error"} 1');
    expect(text).toContain('frugal_requests_total{model="other",provider="none",status="error"} 2');
    expect(text).not.toContain(PASTED_KEY);
    expect(text).not.toContain('made-up-model');
  });

  it('never take a label from an event field outside its bounded set', async () => {
    metrics = createPrometheusMetrics(config);
    publishUpstreamError({ provider: 'evil', model: PASTED_KEY, code: 'upstream said: <html>', status: 500 });
    publish(channels.routeDecision, { route: 'smart', task: `header-task-${PASTED_KEY}`, model: 'cheap', trace: '' });
    publish(channels.promptOrder, { route: PASTED_KEY, staticTokens: 2000 });
    publish(channels.circuitState, { deployment: `sim/${PASTED_KEY}`, state: 'open' });
    publish(channels.routingEvent, { type: 'skip', route: PASTED_KEY, model: PASTED_KEY, reason: 'context_window' });
    const values = await labelValues(metrics);
    expect(values.filter((value) => value.includes('fk-vk') || value.includes('evil') || value.includes('<html>'))).toEqual([]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('frugal_upstream_errors_total{provider="other",model="other",code="other"} 1');
    expect(text).toContain('frugal_route_decisions_total{route="smart",task="other",model="cheap"} 1');
    expect(text).toContain('frugal_circuit_state{deployment="other"} 2');
  });

  it('keep a configured task, error code and deployment', async () => {
    metrics = createPrometheusMetrics(config);
    publish(channels.routeDecision, { route: 'smart', task: 'triage', model: 'cheap', trace: '' });
    publishUpstreamError({ provider: 'sim', model: 'strong', code: 'upstream_timeout', status: 504 });
    publish(channels.circuitState, { deployment: 'sim/strong', state: 'half_open' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('frugal_route_decisions_total{route="smart",task="triage",model="cheap"} 1');
    expect(text).toContain('frugal_upstream_errors_total{provider="sim",model="strong",code="upstream_timeout"} 1');
    expect(text).toContain('frugal_circuit_state{deployment="sim/strong"} 1');
  });

  it('do not grow with the number of distinct model names clients send', async () => {
    metrics = createPrometheusMetrics(config);
    const seriesCount = async () => (await metrics!.registry.getMetricsAsJSON()).filter((metric) => !/^frugal_(process|nodejs)_/.test(metric.name)).reduce((sum, metric) => sum + metric.values.length, 0);
    publishRequestFinished({ row: row({ requestedModel: 'unknown-0', status: 'error' }) });
    const after1 = await seriesCount();
    for (let i = 1; i <= 2_000; i += 1) publishRequestFinished({ row: row({ requestedModel: `unknown-${i}`, status: 'error' }) });
    expect(await seriesCount()).toBe(after1);
  });

  it('label every name other when built without a config', async () => {
    metrics = createPrometheusMetrics();
    publishRequestFinished({ row: row({ servedModel: 'cheap', provider: 'sim', requestedModel: PASTED_KEY }) });
    const text = await metrics.registry.metrics();
    expect(text).toContain('frugal_requests_total{model="other",provider="other",status="ok"} 1');
    expect(text).not.toContain(PASTED_KEY);
  });
});

describe('cache and route metrics', () => {
  it('count lookups, hits by kind and what hits saved, per route, from finished rows', async () => {
    metrics = createPrometheusMetrics(config);
    publishRequestFinished({ row: row({ requestedModel: 'cheap', servedModel: 'cheap', cacheStatus: 'miss' }) });
    publishRequestFinished({ row: row({ requestedModel: 'cheap', servedModel: 'cheap', cacheStatus: 'hit', costNanos: 0, savedCacheNanos: 2_500_000 }) });
    publishRequestFinished({ row: row({ requestedModel: 'cheap', servedModel: 'cheap', cacheStatus: 'semantic-hit;sim=0.97', costNanos: 0, savedCacheNanos: 500_000 }) });
    publishRequestFinished({ row: row({ requestedModel: 'cheap', servedModel: 'cheap', cacheStatus: 'bypass' }) });
    const text = await metrics.registry.metrics();
    expect(text).toContain('frugal_cache_lookups_total{route="cheap"} 3');
    expect(text).toContain('frugal_cache_hits_total{route="cheap",kind="exact"} 1');
    expect(text).toContain('frugal_cache_hits_total{route="cheap",kind="semantic"} 1');
    expect(text).toContain('frugal_cache_saved_usd_total{route="cheap",kind="exact"} 0.0025');
    expect(text).toContain('frugal_route_request_duration_seconds_count{route="cheap",status="ok"} 4');
  });
});
