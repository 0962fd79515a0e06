import type { GatewayConfig } from '../config/gateway-config.js';
import type { BatchFormat } from './batch-prompt.js';

export interface BatchingSettings {
  /** How long the first request of a batch waits for others. */
  windowMs: number;
  /** A batch is sent as soon as it has this many requests. */
  maxItems: number;
  format: BatchFormat;
}

/** Routes configured with `batching: { window_ms, max_items, format }` (validated by the route schema), by name. */
export function routeBatching(config: GatewayConfig): Map<string, BatchingSettings> {
  const routes = new Map<string, BatchingSettings>();
  for (const [name, spec] of Object.entries(config.routes)) {
    const batching = (spec as { batching?: { window_ms?: number; max_items?: number; format?: BatchFormat } } | null)?.batching;
    if (batching === undefined) continue;
    routes.set(name, { windowMs: batching.window_ms ?? 50, maxItems: batching.max_items ?? 8, format: batching.format ?? 'numbered' });
  }
  return routes;
}
