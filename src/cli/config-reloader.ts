import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { liveConfig } from '../config/live-settings.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import type { LiveGateway } from '../pipeline/live-gateway.js';
import type { ConfigReloader, ReloadReport, ReloadTrigger } from '../server/routes/reload-route.js';

/** A reloader that can also apply a config read elsewhere (a cluster worker applies the text its primary read once for all). */
export interface SourcedReloader extends ConfigReloader {
  /** As reload, with `loadNext` instead of the file; queued behind any reload running. */
  reloadWith(trigger: ReloadTrigger, loadNext: () => Promise<GatewayConfig>): Promise<ReloadReport>;
}

export interface ConfigReloaderOptions {
  /** Reads and validates the config file: throws the same `config_invalid` error start-up does. */
  load: () => Promise<GatewayConfig>;
  live: LiveGateway;
  /** A gateway for an applied config, over the stores the running one shares; throws `config_invalid` for a bad route. */
  build: (config: GatewayConfig) => Gateway;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/**
 * Reload = load → validate → build → swap. Validation includes building the new gateway (routes are checked
 * when their table is built), so nothing is swapped until the whole new config stands; a refused config is
 * logged and thrown, and the running one keeps serving.
 *
 * @example
 * const reloader = createConfigReloader({ load: () => loadCliConfig(path), live, build, logger });
 * process.on('SIGHUP', () => void reloader.reload('SIGHUP').catch(() => undefined));
 */
export function createConfigReloader({ load, live, build, logger }: ConfigReloaderOptions): SourcedReloader {
  const listeners: Array<(config: GatewayConfig) => void> = [];
  // One at a time: two overlapping reloads must not both build from the same running config and race to swap.
  let queue: Promise<unknown> = Promise.resolve();

  async function apply(trigger: ReloadTrigger, loadNext: () => Promise<GatewayConfig>): Promise<ReloadReport> {
    let report: ReloadReport;
    try {
      const { config, needsRestart } = liveConfig(live.config, await loadNext());
      live.swap(build(config));
      report = { config, needsRestart };
    } catch (error) {
      const code = error instanceof FrugalError ? error.code : 'internal_error';
      logger.error({ trigger, code, error: (error as Error).message }, 'config reload refused: the running config stays');
      throw error;
    }
    for (const listener of listeners) listener(report.config);
    for (const note of report.config.notes) logger.warn(note);
    logger.info({ trigger, models: report.config.models.size, routes: Object.keys(report.config.routes), needsRestart: report.needsRestart }, 'config reloaded: new requests use it; requests already running finish on the previous one');
    if (report.needsRestart.length > 0) logger.warn({ needsRestart: report.needsRestart }, 'changed settings that need a restart were kept as they run; the rest applied');
    return report;
  }

  function enqueue(trigger: ReloadTrigger, loadNext: () => Promise<GatewayConfig>): Promise<ReloadReport> {
    const next = queue.then(() => apply(trigger, loadNext));
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    reload: (trigger) => enqueue(trigger, load),
    reloadWith: enqueue,
    onApplied(listener) {
      listeners.push(listener);
    },
  };
}

export interface ReloadTriggers {
  /** The config file to watch (`server.watch_config: true`); undefined: SIGHUP only. */
  watch: string | undefined;
  /** Polling interval of the watch, ms. */
  intervalMs?: number;
}

/**
 * SIGHUP (the Unix convention for "re-read your config") and, when asked, a watch on the config file. The
 * watch polls the file's stat rather than using inotify: editors and Kubernetes ConfigMaps replace the file
 * (a rename, a symlink swap) and an inotify watch on the old inode would go quiet. A change is applied once
 * the file has stopped changing for one interval, so a half-written file is not read.
 * Returns the function that stops reloading (at shutdown).
 */
export function listenForReloads(reloader: { reload(trigger: ReloadTrigger): Promise<unknown> }, { watch, intervalMs = 500 }: ReloadTriggers): () => void {
  let stopped = false;
  // Errors are logged by the reloader; the running config stays. Once stopped the listener stays, ignoring the
  // signal: without any listener, Node's default for SIGHUP would end a process that is draining its requests.
  const onSignal = () => {
    if (!stopped) void reloader.reload('SIGHUP').catch(() => undefined);
  };
  process.on('SIGHUP', onSignal);
  let settle: NodeJS.Timeout | undefined;
  const onChange = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    clearTimeout(settle);
    settle = setTimeout(() => void reloader.reload('watch').catch(() => undefined), intervalMs);
  };
  if (watch !== undefined) watchFile(watch, { interval: intervalMs, persistent: false }, onChange);
  return () => {
    stopped = true;
    clearTimeout(settle);
    if (watch !== undefined) unwatchFile(watch, onChange);
  };
}

/**
 * Keeps a SIGHUP that arrives while the gateway starts (opening stores, forking workers: seconds) from ending the
 * process, Node's default for a signal nobody listens to; the caller reloads once it can. Returns the function that
 * stops holding (call it once listenForReloads listens) and says whether one came.
 *
 * @example
 * const hangupsDuringStart = holdHangupsDuringStart();
 * const stopReloads = listenForReloads(reloader, { watch: undefined });
 * if (hangupsDuringStart()) void reloader.reload('SIGHUP').catch(() => undefined);
 */
export function holdHangupsDuringStart(): () => boolean {
  let arrived = false;
  const onSignal = () => {
    arrived = true;
  };
  process.on('SIGHUP', onSignal);
  return () => {
    process.off('SIGHUP', onSignal);
    return arrived;
  };
}
