import type { GatewayConfig } from '../config/gateway-config.js';
import type { BatchEndpoint, LineLane } from './batch-types.js';

export interface LaneChoice {
  lane: LineLane;
  /** The provider whose batch API runs the line (native lanes). */
  provider: string | null;
}

const OWN: LaneChoice = { lane: 'own', provider: null };

/**
 * Where a line runs. A model named directly (not a route), priced with a batch rate in the catalog, on an
 * OpenAI or Anthropic provider goes to that provider's batch API: the catalog's batch price is the provider
 * saying it has one. Everything else — routes (decided per line, in real time), models without a batch price,
 * other providers, `/v1/responses` lines — runs in Frugal's own lane through the real pipeline.
 */
export function chooseLane(config: GatewayConfig, endpoint: BatchEndpoint, model: string): LaneChoice {
  if (endpoint === '/v1/responses' || Object.hasOwn(config.routes, model)) return OWN;
  const entry = config.models.get(model);
  if (entry === undefined || entry.price.batch === undefined) return OWN;
  const kind = config.providers.get(entry.provider)?.kind;
  if (endpoint === '/v1/chat/completions' && entry.type === 'chat') {
    if (kind === 'openai') return { lane: 'openai_batch', provider: entry.provider };
    if (kind === 'anthropic') return { lane: 'anthropic_batch', provider: entry.provider };
  }
  if (endpoint === '/v1/embeddings' && entry.type === 'embedding' && kind === 'openai') return { lane: 'openai_batch', provider: entry.provider };
  return OWN;
}
