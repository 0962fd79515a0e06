import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RoutingEvent } from '../routing/route-node.js';
import { createMetricLabels, type MetricLabelSource } from './metric-labels.js';
import { registerQualityMetrics } from './quality-metrics.js';
import { channels, type BudgetOvershootEvent, type CircuitStateEvent, type RequestFinishedEvent, type RouteDecisionEvent, type UpstreamErrorEvent } from './events.js';

export interface PrometheusMetrics {
  registry: Registry;
  /** Stops listening to gateway events. */
  close(): void;
  /** After a config reload: the label vocabulary follows the new models, routes and providers. */
  relabel(config: MetricLabelSource): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Prometheus metrics fed by the gateway's named events; the pipeline never touches prom-client.
 * Every label value passes `createMetricLabels(config)`: configured names only, `other` for anything else,
 * so the series count is bounded by the config, whatever clients send. Pass the gateway's config; without
 * it every name label is `other`.
 */
/** A row's cache status → whether the cache was looked up and what it found (bypass and none: not looked up). */
const CACHE_KINDS: Readonly<Record<string, 'exact' | 'semantic' | 'miss'>> = { hit: 'exact', 'semantic-hit': 'semantic', miss: 'miss' };

export function createPrometheusMetrics(config?: MetricLabelSource): PrometheusMetrics {
  const registry = new Registry();
  let label = createMetricLabels(config);
  // prom-client's names already start with process_ / nodejs_: the prefix is just ours.
  collectDefaultMetrics({ register: registry, prefix: 'frugal_' });
  // Gauges named *_total (promtool refuses them); each duplicates the gauge of the same name without the suffix.
  for (const name of ['frugal_nodejs_active_handles_total', 'frugal_nodejs_active_requests_total', 'frugal_nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const labels = ['model', 'provider', 'status'] as const;
  const requests = new Counter({ name: 'frugal_requests_total', help: 'Requests by served model, provider and status.', labelNames: labels, registers: [registry] });
  const tokens = new Counter({ name: 'frugal_tokens_total', help: 'Tokens by served model, provider and kind (prompt, completion, cached).', labelNames: ['model', 'provider', 'kind'], registers: [registry] });
  const cost = new Counter({ name: 'frugal_cost_usd_total', help: 'Spend in USD (display; the ledger holds the exact integer amounts).', labelNames: ['model', 'provider'], registers: [registry] });
  const latency = new Histogram({ name: 'frugal_request_duration_seconds', help: 'Request latency.', labelNames: labels, buckets: LATENCY_BUCKETS, registers: [registry] });
  const ttft = new Histogram({ name: 'frugal_time_to_first_token_seconds', help: 'Time to first streamed token.', labelNames: ['model', 'provider'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const routeLatency = new Histogram({ name: 'frugal_route_request_duration_seconds', help: 'Request latency by the route or model the caller asked for.', labelNames: ['route', 'status'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const cacheLookups = new Counter({ name: 'frugal_cache_lookups_total', help: 'Requests the response cache looked up, by route or model asked for.', labelNames: ['route'], registers: [registry] });
  const cacheHits = new Counter({ name: 'frugal_cache_hits_total', help: 'Response-cache hits by route and kind (exact, semantic); hit rate = this / lookups.', labelNames: ['route', 'kind'], registers: [registry] });
  const cacheSaved = new Counter({ name: 'frugal_cache_saved_usd_total', help: 'USD the response cache saved (display; the ledger holds exact amounts).', labelNames: ['route', 'kind'], registers: [registry] });
  const upstreamErrors = new Counter({ name: 'frugal_upstream_errors_total', help: 'Upstream call failures by provider and code.', labelNames: ['provider', 'model', 'code'], registers: [registry] });

  const decisions = new Counter({ name: 'frugal_route_decisions_total', help: 'Routing decisions by route, task and serving model.', labelNames: ['route', 'task', 'model'], registers: [registry] });
  const escalations = new Counter({ name: 'frugal_route_escalations_total', help: 'Cascade escalations by route, tier and failed check (escalation rate = this / decisions).', labelNames: ['route', 'from', 'reason'], registers: [registry] });
  const fallbacks = new Counter({ name: 'frugal_route_fallbacks_total', help: 'Fallbacks to the next candidate by route and reason.', labelNames: ['route', 'from', 'reason'], registers: [registry] });
  const hedges = new Counter({ name: 'frugal_route_hedges_total', help: 'Hedged requests by route and which candidate won.', labelNames: ['route', 'winner'], registers: [registry] });
  const skips = new Counter({ name: 'frugal_route_skips_total', help: 'Models skipped by fit checks (context window, capabilities).', labelNames: ['model', 'reason'], registers: [registry] });
  // Across workers (each has its own breakers) the worst state shows: open in one worker is open somewhere.
  const circuit = new Gauge({ name: 'frugal_circuit_state', help: 'Circuit state per deployment: 0 closed, 1 half-open, 2 open.', labelNames: ['deployment'], aggregator: 'max', registers: [registry] });
  const circuitLevel = { closed: 0, half_open: 1, open: 2 } as const;
  const promptOrder = new Counter({ name: 'frugal_prompt_order_issues_total', help: 'Requests whose variable content precedes a long static block (static first, variable last lets prompt caches hit).', labelNames: ['route'], registers: [registry] });
  // The route here is the request's `model` as sent, before anything checked it.
  const onPromptOrder = (message: unknown) => promptOrder.inc({ route: label.route((message as { route: string }).route) });
  const onDecision = (message: unknown) => {
    const event = message as RouteDecisionEvent;
    decisions.inc({ route: label.route(event.route), task: label.task(event.task), model: label.model(event.model) });
  };
  const onRoutingEvent = (message: unknown) => {
    const event = message as RoutingEvent;
    const route = label.route(event.route);
    if (event.type === 'escalation') escalations.inc({ route, from: label.model(event.from), reason: label.reason(event.reason) });
    else if (event.type === 'fallback') fallbacks.inc({ route, from: label.model(event.from), reason: label.reason(event.reason) });
    else if (event.type === 'hedge') hedges.inc({ route, winner: label.model(event.winner) });
    else skips.inc({ model: label.model(event.model), reason: label.reason(event.reason) });
  };
  const onCircuit = (message: unknown) => {
    const event = message as CircuitStateEvent;
    circuit.set({ deployment: label.deployment(event.deployment) }, circuitLevel[event.state]);
  };

  const onFinished = (message: unknown) => {
    const { row } = message as RequestFinishedEvent;
    // The requested name counts only when it is a configured route or model (a failed route call);
    // anything a client made up is `other`.
    const model = label.model(row.servedModel ?? row.requestedModel);
    const provider = label.provider(row.provider);
    const status = label.status(row.status);
    requests.inc({ model, provider, status });
    latency.observe({ model, provider, status }, row.latencyMs / 1000);
    if (row.ttftMs !== null) ttft.observe({ model, provider }, row.ttftMs / 1000);
    if (row.promptTokens > 0) tokens.inc({ model, provider, kind: 'prompt' }, row.promptTokens);
    if (row.completionTokens > 0) tokens.inc({ model, provider, kind: 'completion' }, row.completionTokens);
    if (row.cachedTokens > 0) tokens.inc({ model, provider, kind: 'cached' }, row.cachedTokens);
    if (row.costNanos > 0) cost.inc({ model, provider }, row.costNanos / 1e9);
    const route = label.model(row.requestedModel);
    routeLatency.observe({ route, status }, row.latencyMs / 1000);
    // A semantic hit's status carries its similarity ("semantic-hit;sim=0.97").
    const kind = CACHE_KINDS[row.cacheStatus?.split(';', 1)[0] ?? ''];
    if (kind === undefined) return;
    cacheLookups.inc({ route });
    if (kind === 'miss') return;
    cacheHits.inc({ route, kind });
    if (row.savedCacheNanos > 0) cacheSaved.inc({ route, kind }, row.savedCacheNanos / 1e9);
  };
  const onUpstreamError = (message: unknown) => {
    const event = message as UpstreamErrorEvent;
    upstreamErrors.inc({ provider: label.provider(event.provider), model: label.model(event.model), code: label.code(event.code) });
  };
  // Labels are configured model and provider names only: a bounded set.
  const overshoots = new Counter({ name: 'frugal_budget_overshoots_total', help: 'Calls a provider billed above their budget hold (ignored max_tokens, different tokenizer).', labelNames: ['model', 'provider'], registers: [registry] });
  const overshootUsd = new Counter({ name: 'frugal_budget_overshoot_usd_total', help: 'USD billed above budget holds (display; the ledger holds exact amounts).', labelNames: ['model', 'provider'], registers: [registry] });
  const onOvershoot = (message: unknown) => {
    const event = message as BudgetOvershootEvent;
    const labels = { model: label.model(event.model), provider: label.provider(event.provider) };
    overshoots.inc(labels);
    overshootUsd.inc(labels, (event.actualNanos - event.boundNanos) / 1e9);
  };
  const subscriptions: Array<[typeof channels.requestFinished, (message: unknown) => void]> = [
    [channels.requestFinished, onFinished],
    [channels.upstreamError, onUpstreamError],
    [channels.routeDecision, onDecision],
    [channels.routingEvent, onRoutingEvent],
    [channels.circuitState, onCircuit],
    [channels.promptOrder, onPromptOrder],
    [channels.budgetOvershoot, onOvershoot],
  ];
  for (const [channel, listener] of subscriptions) channel.subscribe(listener);
  const quality = registerQualityMetrics(registry, () => label);
  return {
    registry,
    close() {
      for (const [channel, listener] of subscriptions) channel.unsubscribe(listener);
      quality.close();
    },
    relabel(next) {
      label = createMetricLabels(next);
    },
  };
}
