import type { Registry } from 'prom-client';
import { shareWorkerMetrics } from './cluster-metrics.js';
import { shareDashboardState } from './cluster-dashboard.js';
import cluster from 'node:cluster';
import { isDeepStrictEqual } from 'node:util';
import type { SpendBackend } from '../budget/open-spend-control.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { liveConfig } from '../config/live-settings.js';
import type { ConfigSource } from '../config/load-config.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import { parentChannel } from './ipc-channel.js';
import { createIpcBudgetStore } from './ipc-budget-store.js';
import { createIpcPeer, type IpcPeer } from './ipc-peer.js';
import { createIpcRateLimiter } from './ipc-rate-limiter.js';
import { createIpcResponseStore } from './ipc-response-store.js';
import type { ResponseStore } from '../responses/response-store.js';
import { announceStarts, createWorkerLedgerWriter } from './worker-ledger.js';

/** The environment variable that tells a worker its place (1..N); a replacement keeps the place of the one it replaces. */
export const WORKER_INDEX_ENV = 'FRUGAL_WORKER_INDEX';

/** The shape of the server's config reloader (server/routes/reload-route.ts, cli/config-reloader.ts), without importing them. */
interface Reloader {
  reload(trigger: never): Promise<unknown>;
  reloadWith(trigger: never, loadNext: () => Promise<GatewayConfig>): Promise<unknown>;
}

/** What the primary holds: the source the cluster started on (its restart-only settings) and the last one applied. */
export interface ClusterSources {
  started: ConfigSource;
  current: ConfigSource;
}

export interface JoinOptions {
  /** Parses and validates a source with the errors `frugal serve` gives at start-up (it names the file). */
  parse: (source: ConfigSource) => Promise<GatewayConfig>;
}

/** Outcome of a reload the primary passed on to the other workers. */
export interface OthersReloaded {
  applied: number;
  refused: Array<{ worker: number; message: string }>;
}

/**
 * What a `frugal serve` worker process does differently from a single process: its ledger rows, memory budgets
 * and memory rate limits live in the primary (reached over IPC), its reloads reach every worker, and only worker 1
 * runs the background provider health probes.
 */
export interface ClusterWorker {
  /** 1..N. */
  index: number;
  primary: IpcPeer;
  ledgerWriter: LedgerWriter;
  /** The primary's memory store and limiter over IPC; undefined with `spend_control.backend: redis` (used directly). */
  spendBackend(config: GatewayConfig): SpendBackend | undefined;
  /** With the ledger off, stored responses live in the primary (one store for every worker); undefined: in the ledger's database. */
  responseStore(config: GatewayConfig): ResponseStore | undefined;
  /** Tells the primary of each request started, so a death mid-request still leaves its row. */
  wrap(gateway: Gateway): Gateway;
  /**
   * The config this worker starts on: the text the cluster runs now, as the primary holds it (never the file as it
   * is now: a replacement forked after an edit nobody reloaded, or after a refused reload, would run another config,
   * or not start at all), with the restart-only settings the cluster started with. Health probes only in worker 1.
   */
  currentConfig(): Promise<GatewayConfig>;
  /**
   * A reload here (POST /admin/reload): the primary reads the file once, this worker applies that text, then every
   * other worker applies the same text, before it answers.
   */
  reloader<R extends Reloader>(local: R): R;
  /**
   * Applies the reloads the primary sends (SIGHUP, the config watch, another worker's /admin/reload) with `local`,
   * after catching up with one applied while this worker was starting. Resolves once it runs the cluster's config.
   */
  listenForReloads(local: Reloader): Promise<void>;
  /**
   * Without Redis: a key this worker revokes, rotates or creates is forgotten by every other worker at once (the
   * primary relays it), not after their key cache's TTL. With Redis invalidations, those already reach every worker.
   */
  relayKeyInvalidations<A extends { invalidate(id: string): Promise<void>; refresh(): Promise<void> }>(local: A): A;
  /** /metrics for createServer: every worker's metrics summed (cluster-metrics.ts). */
  metrics: (local: Registry) => () => Promise<string>;
  /** The dashboard's circuit states and sent alerts, gathered from every worker (cluster-dashboard.ts). */
  dashboardState: ReturnType<typeof shareDashboardState>;
  /** Tells the primary this worker accepts connections. */
  listening(address: string): void;
  /** Called once if the primary goes away (this worker can no longer record rows: it should stop). */
  onPrimaryGone(listener: () => void): void;
}

/** The worker's side of the cluster, or undefined when this process is not a `frugal serve` worker. */
export function joinCluster({ parse }: JoinOptions): ClusterWorker | undefined {
  if (!cluster.isWorker || process.env[WORKER_INDEX_ENV] === undefined) return undefined;
  const index = Number(process.env[WORKER_INDEX_ENV]);
  // SIGHUP goes to the primary, which passes it on; one sent to the whole process group must not reload twice, nor
  // end this process (Node's default for SIGHUP without a listener), also while it is still starting.
  process.on('SIGHUP', () => undefined);
  const channel = parentChannel();
  const primary = createIpcPeer(channel);
  // Health probes only in worker 1: one probe per interval, not N.
  const adjust = (config: GatewayConfig) => (index === 1 ? config : { ...config, healthCheckIntervalMs: 0 });
  const configOf = (source: ConfigSource) => async () => adjust(await parse(source));
  // The text currentConfig() started this worker on.
  let startedOn: ConfigSource | undefined;
  return {
    index,
    primary,
    ledgerWriter: createWorkerLedgerWriter(primary),
    spendBackend(config) {
      if (config.spendControl.backend === 'redis') return undefined;
      return { store: createIpcBudgetStore(primary), limiter: createIpcRateLimiter(primary), close: async () => undefined };
    },
    responseStore: (config) => (config.ledger.enabled ? undefined : createIpcResponseStore(primary)),
    wrap: (gateway) => announceStarts(gateway, primary),
    async currentConfig() {
      const { started, current } = await primary.call<ClusterSources>('config.sources');
      startedOn = current;
      const running = await configOf(current)();
      return isDeepStrictEqual(started, current) ? running : liveConfig(await configOf(started)(), running).config;
    },
    reloader(local) {
      const reload = async (trigger: never) => {
        // Read once, by the primary (a file it cannot read is refused there, one that does not validate here, each
        // with start-up's error).
        const source = await primary.call<ConfigSource>('config.read');
        const report = await local.reloadWith(trigger, configOf(source));
        // Applied here first, then the same text by the others. One that refuses it keeps its running config and logs why.
        const others = await primary.call<OthersReloaded>('reload.others', trigger, source);
        if (others.refused.length > 0) process.emitWarning(`config reload refused by worker(s) ${others.refused.map((refusal) => refusal.worker).join(', ')}: ${others.refused[0].message}`, 'FrugalClusterWarning');
        return report;
      };
      return { ...local, reload };
    },
    async listenForReloads(local) {
      primary.handle('reload.apply', async (trigger: string, source: ConfigSource) => {
        await local.reloadWith(trigger as never, configOf(source));
        return null;
      });
      // From here on the primary passes this worker every reload; one it applied before (while this worker was
      // loading) is in the sources it answers with now.
      primary.notify('reload.ready', null);
      const { current } = await primary.call<ClusterSources>('config.sources');
      if (startedOn !== undefined && !isDeepStrictEqual(current, startedOn)) await local.reloadWith('catch-up' as never, configOf(current)).catch(() => undefined);
    },
    relayKeyInvalidations(local) {
      primary.handle('keys.forget', async (id: string) => {
        await local.invalidate(id);
        // invalidate only starts the re-count: the first key created on another worker must close this one's open
        // gateway before that create answers, as it does there.
        await local.refresh();
        return null;
      });
      return Object.assign(Object.create(local) as typeof local, {
        // Resolves once every other worker has forgotten the key: a revoke answered is a revoke in force everywhere.
        async invalidate(id: string) {
          await local.invalidate(id);
          await primary.call('keys.invalidate', id);
        },
      });
    },
    metrics: shareWorkerMetrics(primary),
    dashboardState: shareDashboardState(primary),
    listening(address) {
      primary.notify('listening', { address });
    },
    onPrimaryGone(listener) {
      channel.onClose(listener);
    },
  };
}
