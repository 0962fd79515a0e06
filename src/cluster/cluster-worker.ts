import type { Registry } from 'prom-client';
import { shareWorkerMetrics } from './cluster-metrics.js';
import { shareDashboardState } from './cluster-dashboard.js';
import cluster from 'node:cluster';
import type { SpendBackend } from '../budget/open-spend-control.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import { parentChannel } from './ipc-channel.js';
import { createIpcBudgetStore } from './ipc-budget-store.js';
import { createIpcPeer, type IpcPeer } from './ipc-peer.js';
import { createIpcRateLimiter } from './ipc-rate-limiter.js';
import { announceStarts, createWorkerLedgerWriter } from './worker-ledger.js';

/** The environment variable that tells a worker its place (1..N); a replacement keeps the place of the one it replaces. */
export const WORKER_INDEX_ENV = 'FRUGAL_WORKER_INDEX';

/** The shape of the server's config reloader (server/routes/reload-route.ts), without importing the edge. */
interface Reloader {
  reload(trigger: never): Promise<unknown>;
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
  /** Tells the primary of each request started, so a death mid-request still leaves its row. */
  wrap(gateway: Gateway): Gateway;
  /** The config this worker runs: health probes only in worker 1 (one probe per interval, not N). */
  adjust(config: GatewayConfig): GatewayConfig;
  /** A reload here (POST /admin/reload) is applied here, then by every other worker, before it answers. */
  reloader<R extends Reloader>(local: R): R;
  /** Applies the reloads the primary sends (SIGHUP, the config watch, another worker's /admin/reload) with `local`. */
  listenForReloads(local: Reloader): void;
  /**
   * Without Redis: a key this worker revokes, rotates or creates is forgotten by every other worker at once (the
   * primary relays it), not after their key cache's TTL. With Redis invalidations, those already reach every worker.
   */
  relayKeyInvalidations<A extends { invalidate(id: string): Promise<void> }>(local: A): A;
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
export function joinCluster(): ClusterWorker | undefined {
  if (!cluster.isWorker || process.env[WORKER_INDEX_ENV] === undefined) return undefined;
  const index = Number(process.env[WORKER_INDEX_ENV]);
  const channel = parentChannel();
  const primary = createIpcPeer(channel);
  return {
    index,
    primary,
    ledgerWriter: createWorkerLedgerWriter(primary),
    spendBackend(config) {
      if (config.spendControl.backend === 'redis') return undefined;
      return { store: createIpcBudgetStore(primary), limiter: createIpcRateLimiter(primary), close: async () => undefined };
    },
    wrap: (gateway) => announceStarts(gateway, primary),
    adjust: (config) => (index === 1 ? config : { ...config, healthCheckIntervalMs: 0 }),
    reloader(local) {
      const reload = async (trigger: never) => {
        const report = await local.reload(trigger);
        // Applied here first: the others read the same file. One that refuses it keeps its running config and logs why.
        const others = await primary.call<OthersReloaded>('reload.others', trigger);
        if (others.refused.length > 0) process.emitWarning(`config reload refused by worker(s) ${others.refused.map((refusal) => refusal.worker).join(', ')}: ${others.refused[0].message}`, 'FrugalClusterWarning');
        return report;
      };
      return { ...local, reload };
    },
    listenForReloads(local) {
      primary.handle('reload.apply', async (trigger: string) => {
        await local.reload(trigger as never);
        return null;
      });
      // SIGHUP goes to the primary, which passes it on; one sent to the whole process group must not reload twice,
      // nor end this process (Node's default for SIGHUP without a listener).
      process.on('SIGHUP', () => undefined);
    },
    relayKeyInvalidations(local) {
      primary.handle('keys.forget', (id: string) => local.invalidate(id));
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
