import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { channels, type RequestFinishedEvent, type UpstreamErrorEvent } from './events.js';

export interface PrometheusMetrics {
  registry: Registry;
  /** Stops listening to gateway events. */
  close(): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Prometheus metrics fed by the gateway's named events; the pipeline never touches prom-client. */
export function createPrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'frugal_process_' });
  const labels = ['model', 'provider', 'status'] as const;
  const requests = new Counter({ name: 'frugal_requests_total', help: 'Requests by served model, provider and status.', labelNames: labels, registers: [registry] });
  const tokens = new Counter({ name: 'frugal_tokens_total', help: 'Tokens by served model, provider and kind (prompt, completion, cached).', labelNames: ['model', 'provider', 'kind'], registers: [registry] });
  const cost = new Counter({ name: 'frugal_cost_usd_total', help: 'Spend in USD (display; the ledger holds the exact integer amounts).', labelNames: ['model', 'provider'], registers: [registry] });
  const latency = new Histogram({ name: 'frugal_request_duration_seconds', help: 'Request latency.', labelNames: labels, buckets: LATENCY_BUCKETS, registers: [registry] });
  const ttft = new Histogram({ name: 'frugal_time_to_first_token_seconds', help: 'Time to first streamed token.', labelNames: ['model', 'provider'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const upstreamErrors = new Counter({ name: 'frugal_upstream_errors_total', help: 'Upstream call failures by provider and code.', labelNames: ['provider', 'model', 'code'], registers: [registry] });

  const onFinished = (message: unknown) => {
    const { row } = message as RequestFinishedEvent;
    const model = row.servedModel ?? row.requestedModel ?? 'unknown';
    const provider = row.provider ?? 'none';
    requests.inc({ model, provider, status: row.status });
    latency.observe({ model, provider, status: row.status }, row.latencyMs / 1000);
    if (row.ttftMs !== null) ttft.observe({ model, provider }, row.ttftMs / 1000);
    if (row.promptTokens > 0) tokens.inc({ model, provider, kind: 'prompt' }, row.promptTokens);
    if (row.completionTokens > 0) tokens.inc({ model, provider, kind: 'completion' }, row.completionTokens);
    if (row.cachedTokens > 0) tokens.inc({ model, provider, kind: 'cached' }, row.cachedTokens);
    if (row.costNanos > 0) cost.inc({ model, provider }, row.costNanos / 1e9);
  };
  const onUpstreamError = (message: unknown) => {
    const event = message as UpstreamErrorEvent;
    upstreamErrors.inc({ provider: event.provider, model: event.model, code: event.code });
  };
  channels.requestFinished.subscribe(onFinished);
  channels.upstreamError.subscribe(onUpstreamError);
  return {
    registry,
    close() {
      channels.requestFinished.unsubscribe(onFinished);
      channels.upstreamError.unsubscribe(onUpstreamError);
    },
  };
}
