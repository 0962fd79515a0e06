import { isDeepStrictEqual } from 'node:util';
import type { GatewayConfig } from './gateway-config.js';

/**
 * A setting a running process cannot take over: the listener and the HTTP parser are built once (host, port,
 * body and header limits, CORS, the metrics listener), and the ledger, spend-control and cache backends hold
 * state and connections that a reload shares instead of rebuilding (so budgets and cached answers survive).
 */
interface RestartSetting {
  /** The config-file path, as an operator would look for it. */
  path: string;
  read(config: GatewayConfig): unknown;
}

const RESTART_SETTINGS: readonly RestartSetting[] = [
  { path: 'server.host', read: (config) => config.server.host },
  { path: 'server.port', read: (config) => config.server.port },
  { path: 'server.body_limit_mb', read: (config) => config.server.bodyLimitBytes },
  { path: 'server.max_json_depth', read: (config) => config.server.maxJsonDepth },
  { path: 'server.max_messages', read: (config) => config.server.maxMessages },
  { path: 'server.max_header_bytes', read: (config) => config.server.maxHeaderBytes },
  { path: 'server.metrics', read: (config) => config.server.metrics },
  { path: 'server.cors', read: (config) => config.server.cors },
  { path: 'server.watch_config', read: (config) => config.server.watchConfig },
  { path: 'server.workers', read: (config) => config.server.workers },
  { path: 'ledger', read: (config) => config.ledger },
  { path: 'spend_control.backend', read: (config) => [config.spendControl.backend, config.spendControl.backend === 'redis' ? config.spendControl.redisUrl : null] },
  { path: 'spend_control.key_prefix', read: (config) => config.spendControl.keyPrefix },
  { path: 'cache.backend', read: (config) => [config.cache.backend, config.cache.backend === 'redis' ? config.cache.redisUrl : null] },
  { path: 'cache.max_mb', read: (config) => config.cache.maxBytes },
  { path: 'cache.semantic.index', read: (config) => config.cache.semantic.index },
  // The durable queue's connection and the batch service (its lanes, limits and poller) are opened at start-up.
  { path: 'queue', read: (config) => config.queue },
  { path: 'batches', read: (config) => config.batches },
  { path: 'admin.master_key', read: (config) => config.masterKey },
  { path: 'admin.session_secret', read: (config) => config.dashboardSessionSecret },
  { path: 'logging', read: (config) => [config.logLevel, config.logPretty] },
  // The tracer provider and its exporter are set up once, before the first request.
  { path: 'telemetry', read: (config) => config.telemetry },
];

export interface LiveConfig {
  /** The config to run: the new one, with every restart-only setting kept as it runs now. */
  config: GatewayConfig;
  /** Config paths whose new values wait for a restart (empty: everything applied). */
  needsRestart: string[];
}

/**
 * What a reload can apply of `next` while `running` serves: routes, models, prices, providers, budgets, rate
 * limits, cache policy and the rest come from `next`; the settings above keep their running values and are
 * named in `needsRestart`, so the config the gateway reports is the one it really runs.
 *
 * @example
 * const { config, needsRestart } = liveConfig(running, await loadConfig(path)); // needsRestart: ['server.port']
 */
export function liveConfig(running: GatewayConfig, next: GatewayConfig): LiveConfig {
  const needsRestart = RESTART_SETTINGS.filter((setting) => !isDeepStrictEqual(setting.read(running), setting.read(next))).map((setting) => setting.path);
  const config: GatewayConfig = Object.freeze({
    ...next,
    server: {
      ...next.server,
      host: running.server.host,
      port: running.server.port,
      bodyLimitBytes: running.server.bodyLimitBytes,
      maxJsonDepth: running.server.maxJsonDepth,
      maxMessages: running.server.maxMessages,
      maxHeaderBytes: running.server.maxHeaderBytes,
      metrics: running.server.metrics,
      cors: running.server.cors,
      watchConfig: running.server.watchConfig,
      workers: running.server.workers,
    },
    ledger: running.ledger,
    spendControl: { ...next.spendControl, backend: running.spendControl.backend, redisUrl: running.spendControl.redisUrl, keyPrefix: running.spendControl.keyPrefix },
    cache: {
      ...next.cache,
      backend: running.cache.backend,
      redisUrl: running.cache.redisUrl,
      maxBytes: running.cache.maxBytes,
      semantic: { ...next.cache.semantic, index: running.cache.semantic.index },
    },
    queue: running.queue,
    batches: running.batches,
    masterKey: running.masterKey,
    dashboardSessionSecret: running.dashboardSessionSecret,
    logLevel: running.logLevel,
    logPretty: running.logPretty,
    telemetry: running.telemetry,
  });
  return { config, needsRestart };
}
