import { formatNanosUsd } from '../catalog/pricing.js';
import type { RequestContext } from '../request/request-context.js';
import type { GatewayConfig, ModelEntry } from '../config/gateway-config.js';

/** The x-frugal-* headers every reply carries; the cost only when it is known before the body is sent. */
export function frugalHeaders(
  requestId: string,
  model: ModelEntry | undefined,
  provider: string | undefined,
  costNanos: number | undefined,
  context?: RequestContext,
): Record<string, string> {
  const headers: Record<string, string> = { 'x-frugal-request-id': requestId };
  if (model) headers['x-frugal-model'] = model.name;
  if (provider) headers['x-frugal-provider'] = provider;
  if (costNanos !== undefined) headers['x-frugal-cost-usd'] = formatNanosUsd(costNanos);
  if (context) {
    if (context.routeTrace.length > 0) headers['x-frugal-route'] = context.routeTrace.join('>');
    // Header values must stay on one line and within ASCII.
    if (context.warnings.length > 0) headers['x-frugal-warnings'] = context.warnings.join('; ').replace(/[^\x20-\x7e]/g, '?');
    if (context.cacheStatus) headers['x-frugal-cache'] = context.cacheStatus;
    if (context.tokenReduction) headers['x-frugal-compressed'] = `${context.tokenReduction.before}>${context.tokenReduction.after}`;
    // What stages want the caller to see (x-frugal-experiment); set from configured names only.
    Object.assign(headers, context.responseHeaders);
  }
  return headers;
}

/** Demo answers say so on every door (chat, embeddings, Responses, Messages), whatever their body can carry. */
export function simulatedMark(config: Pick<GatewayConfig, 'providers'>, provider: string | undefined): Record<string, string> {
  return provider !== undefined && config.providers.get(provider)?.kind === 'simulated' ? { 'x-frugal-simulated': 'true' } : {};
}
