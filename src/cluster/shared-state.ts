import type { GatewayConfig } from '../config/gateway-config.js';

/**
 * What N workers share and what each keeps for itself, for the start-up log line (README "Every core: workers"
 * says the same). Counters that must be exact are shared; what is per worker only costs hit rate or reaction time.
 */
export function describeSharedState(config: GatewayConfig, workers: number) {
  const redisSpend = config.spendControl.backend === 'redis';
  const redisCache = config.cache.backend === 'redis';
  return {
    workers,
    shared: [
      config.ledger.enabled ? `ledger: one writer in the primary${config.ledger.durability === 'spool' ? ' (with the spool)' : ''}` : undefined,
      redisSpend ? 'budgets and rate limits: in Redis' : 'budgets and rate limits: in the primary, reached over IPC',
      'budget and route alerts: sent once (claimed in the budget store)',
      'config: read once by the primary per reload (SIGHUP, the config watch, POST /admin/reload) and applied by every worker; a replacement worker starts on the text last applied',
      redisCache ? 'response cache: in Redis' : undefined,
      config.cache.semantic.index === 'postgres' ? 'semantic index: pgvector' : undefined,
      'virtual keys: in the database; a revocation reaches every worker at once (relayed by the primary, or by Redis)',
      '/metrics: every worker\'s counters summed by the primary, whichever worker is scraped',
      config.ledger.enabled ? undefined : 'stored responses (ledger off): in the primary\'s memory, reached over IPC',
    ].filter((item): item is string => item !== undefined),
    perWorker: [
      redisCache ? undefined : 'response cache (memory: a hit needs the same worker; set cache.backend: redis to share)',
      config.cache.semantic.enabled && config.cache.semantic.index === 'memory' ? 'semantic index (memory)' : undefined,
      'circuit breakers (each worker opens on the failures it sees)',
      config.spendControl.routeAlerts.length > 0 ? 'route-alert windows (rates over each worker\'s share of the traffic)' : undefined,
      'provider health probes: worker 1 only (its breakers)',
      'concurrency of the background lane and of batch jobs (lanes.background.concurrency, batches.concurrency: each per worker)',
    ].filter((item): item is string => item !== undefined),
  };
}
