import type { ModelEntry } from '../../config/gateway-config.js';
import type { ProviderAdapter } from '../../providers/provider-adapter.js';
import { deploymentKey } from '../strategies/model-node.js';
import type { CircuitBreakers } from './circuit-breaker.js';

export interface HealthCheckOptions {
  adapters: ReadonlyMap<string, ProviderAdapter>;
  models: Iterable<ModelEntry>;
  breakers: CircuitBreakers;
  intervalMs: number;
  timeoutMs?: number;
  onResult?: (provider: string, healthy: boolean) => void;
}

/**
 * Probes every provider that supports it in the background; a provider that fails its probe has the circuits of
 * all its deployments opened, so requests skip it at once instead of each waiting for a timeout. Recovery goes
 * through the breakers' half-open probe. Returns a stop function.
 */
export function startHealthChecks(options: HealthCheckOptions): () => void {
  if (options.intervalMs <= 0) return () => {};
  const byProvider = new Map<string, string[]>();
  for (const model of options.models) {
    const list = byProvider.get(model.provider) ?? [];
    list.push(deploymentKey(model));
    byProvider.set(model.provider, list);
  }
  let running = false;
  const probe = async () => {
    if (running) return;
    running = true;
    try {
      await Promise.all(
        [...byProvider].map(async ([provider, deployments]) => {
          const adapter = options.adapters.get(provider);
          if (!adapter?.checkHealth) return;
          try {
            await adapter.checkHealth({ signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
            options.onResult?.(provider, true);
          } catch {
            for (const deployment of deployments) options.breakers.get(deployment).forceOpen();
            options.onResult?.(provider, false);
          }
        }),
      );
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void probe(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
