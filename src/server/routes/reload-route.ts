import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { masterKeyGuard } from '../master-key-guard.js';

/** What started a reload: the signal, the file watch (`server.watch_config`) or POST /admin/reload (`frugal reload`). */
export type ReloadTrigger = 'SIGHUP' | 'watch' | 'admin';

/** A reload that was applied. One that was refused throws the same `config_invalid` error start-up would. */
export interface ReloadReport {
  /** Config paths whose new values wait for a restart; everything else is live. */
  needsRestart: string[];
  /** The config now serving new requests. */
  config: GatewayConfig;
}

/** What the server needs of the reloader `frugal serve` builds. */
export interface ConfigReloader {
  /** Re-reads, validates and swaps the config; concurrent calls run one after the other. */
  reload(trigger: ReloadTrigger): Promise<ReloadReport>;
  /** Called with each applied config (the metrics' label vocabulary follows it). */
  onApplied(listener: (config: GatewayConfig) => void): void;
}

/**
 * POST /admin/reload, guarded by the master key: the operator (or `frugal reload`) gets the outcome in the
 * reply — which settings wait for a restart, or the coded error of a config that was refused — instead of
 * having to read the server's log after a SIGHUP.
 */
export function registerReloadRoute(app: FastifyInstance, { reloader, masterKey }: { reloader: ConfigReloader; masterKey: string | undefined }): void {
  const onRequest = masterKeyGuard(masterKey);
  app.post('/admin/reload', { onRequest, config: { access: 'master' } }, async () => {
    const { needsRestart, config } = await reloader.reload('admin');
    return {
      object: 'config.reload',
      status: 'applied',
      needs_restart: needsRestart,
      models: config.models.size,
      routes: Object.keys(config.routes),
    };
  });
}
