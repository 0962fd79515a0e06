import { openSpendBackend, type SpendBackend } from '../budget/open-spend-control.js';
import type { CacheStore } from '../cache/cache-store.js';
import { cacheWanted, openCacheStore } from '../cache/open-cache-store.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { createGatewayFromConfig, type Gateway } from '../pipeline/create-gateway.js';
import { createLiveGateway, type LiveGateway } from '../pipeline/live-gateway.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { QualityStores } from '../pipeline/quality-runtime.js';

export interface LiveGatewayParts {
  /** The ledger every generation writes to (one writer: rows stay exact across a reload). */
  ledger: LedgerSink | undefined;
  /** What the server puts around each gateway it builds (the drain on shutdown). */
  wrap: (gateway: Gateway) => Gateway;
  onCloseError?: (error: unknown) => void;
  /** Budget counters and rate limits kept elsewhere (a worker's: in the primary); default: opened from the config. */
  spendBackend?: SpendBackend;
  /** Samples, judge scores and quality windows in the ledger's database (quality.routes, shadow arms). */
  quality?: QualityStores;
}

/**
 * The gateway `frugal serve` runs, rebuilt on each reload over stores that outlive it: the spend-control backend
 * (budget counters and rate-limit windows carry over) and the response cache (cached answers stay). What is
 * rebuilt starts afresh: circuit breakers and health checks, route-alert windows, and a semantic cache's
 * in-memory vector index (a pgvector index is shared).
 *
 * @example
 * const { gateway, build, close } = openLiveGateway(config, { ledger: writer, wrap: (inner) => drainable.wrap(inner) });
 * gateway.swap(build(reloadedConfig));
 */
export function openLiveGateway(config: GatewayConfig, { ledger, wrap, onCloseError, spendBackend = openSpendBackend(config), quality }: LiveGatewayParts): { gateway: LiveGateway; build: (config: GatewayConfig) => Gateway; close: () => Promise<void> } {
  // Opened when a config first wants caching (at start-up or on a reload that turns it on), then kept.
  let cacheStore: CacheStore | undefined;
  const build = (next: GatewayConfig) => {
    const wanted = cacheWanted(next);
    if (cacheStore === undefined && wanted) cacheStore = openCacheStore(next);
    return wrap(createGatewayFromConfig(next, ledger, wanted ? cacheStore : undefined, spendBackend, quality));
  };
  const gateway = createLiveGateway(build(config), { onCloseError });
  return {
    gateway,
    build,
    async close() {
      await gateway.close();
      await Promise.all([spendBackend.close(), cacheStore?.close()]);
    },
  };
}
