import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BudgetStore } from '../budget/budget-store.js';
import { createMemoryBudgetStore, type MemoryBudgetStoreOptions } from '../budget/memory-budget-store.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { liveConfig } from '../config/live-settings.js';
import type { ConfigSource } from '../config/load-config.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import { WORKER_SESSION_SECRET_ENV } from '../dashboard/dashboard-session.js';
import { describeSharedState } from './shared-state.js';
import { childChannel } from './ipc-channel.js';
import { clusterMetricsText } from './cluster-metrics.js';
import { clusterDashboardSnapshots } from './cluster-dashboard.js';
import { serveBudgetStore } from './ipc-budget-store.js';
import { callEach, createIpcPeer, type IpcPeer } from './ipc-peer.js';
import { serveRateLimiter } from './ipc-rate-limiter.js';
import { serveResponseStore } from './ipc-response-store.js';
import { createMemoryResponseStore } from '../responses/memory-response-store.js';
import type { ResponseStore } from '../responses/response-store.js';
import { createPrimaryLedger } from './primary-ledger.js';
import { WORKER_INDEX_ENV, type ClusterSources, type OthersReloaded } from './cluster-worker.js';

export interface PrimaryOptions {
  workers: number;
  config: GatewayConfig;
  /** What `config` was read from: every worker starts on it (and on what each applied reload read since). */
  source: ConfigSource;
  /** Reads the config file now, for a reload (throws start-up's `config_invalid` error when it cannot). */
  readSource: () => Promise<ConfigSource>;
  /** Parses a source as start-up does: the primary follows each applied reload (its drain deadline). */
  parse: (source: ConfigSource) => Promise<GatewayConfig>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** What the ledger already holds for a budget's period (ledger-spend-seed.ts): the memory budgets resume from it. */
  spentBefore?: MemoryBudgetStoreOptions['spentBefore'];
  /** The one ledger writer of the cluster (with its spool), opened by the caller; undefined with the ledger off. */
  ledgerWriter: LedgerWriter | undefined;
  /** Closes what the caller opened for the ledger, after the last worker is gone and the writer is closed. */
  closeLedger?: () => Promise<void>;
}

interface Member {
  index: number;
  worker: Worker;
  peer: IpcPeer;
  forkedAt: number;
  listening: boolean;
  /** Applies reloads from now on (its live gateway stands): a worker still starting catches up by itself instead. */
  reloadable: boolean;
  gone: Promise<void>;
}

/** A worker that dies this soon after it was forked counts as crash-looping: its replacement waits (doubling). */
const CRASH_WINDOW_MS = 10_000;

/**
 * The primary of `frugal serve --workers N`: forks N workers that share the port (node:cluster hands each new
 * connection to the next worker), and keeps what must exist once: the ledger writer (every worker's rows, one
 * spool), the memory budget store and rate limiter (unless Redis holds them), stored responses when the ledger is
 * off, the config text the cluster runs, and the reload signal. A worker that dies is replaced (on that text), and
 * each request it had started and not recorded gets a `worker_exited` row.
 *
 * Resolves with the address once every worker listens; `stop` drains every worker (SIGTERM each, as a single
 * process drains), then closes the ledger. `reload` reads the config file once and applies it in every worker.
 *
 * @example
 * const primary = await startPrimary({ workers: 4, config, source, readSource: () => readConfigSource(path), parse, logger, ledgerWriter: writer });
 * process.once('SIGTERM', () => void primary.stop('SIGTERM').then((code) => process.exit(code)));
 */
export async function startPrimary({ workers: count, config: startConfig, source, readSource, parse, logger, ledgerWriter, closeLedger, spentBefore }: PrimaryOptions) {
  let config = startConfig;
  // The text every worker runs: a replacement starts on it, whatever the file holds by then.
  const sources: ClusterSources = { started: source, current: source };
  const memorySpend = config.spendControl.backend !== 'redis';
  const store: BudgetStore | undefined = memorySpend ? createMemoryBudgetStore({ spentBefore }) : undefined;
  const limiter: RateLimiter | undefined = memorySpend ? createMemoryRateLimiter() : undefined;
  const ledger = ledgerWriter && createPrimaryLedger(ledgerWriter);
  // With the ledger off there is no database for stored responses: one memory store here, or a response created on
  // one worker would be unknown to the others (previous_response_id, GET /v1/responses/:id).
  const responses: ResponseStore | undefined = config.ledger.enabled ? undefined : createMemoryResponseStore();
  const members = new Map<number, Member>();
  let stopping = false;
  let crashes = 0;
  let address: string | undefined;
  let started: () => void = () => undefined;
  let failedToStart: (error: Error) => void = () => undefined;
  const allListening = new Promise<void>((resolve, reject) => {
    started = resolve;
    failedToStart = reject;
  });
  let up = false;

  // A dashboard session signed by one worker must be accepted by the next (any worker may take the next connection).
  const sessionSecret = randomBytes(32).toString('base64url');

  function fork(index: number): Member {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index), [WORKER_SESSION_SECRET_ENV]: sessionSecret });
    const peer = createIpcPeer(childChannel(worker.process));
    if (store) serveBudgetStore(peer, store);
    if (limiter) serveRateLimiter(peer, limiter);
    if (responses) serveResponseStore(peer, responses);
    ledger?.attach(worker.id, peer);
    // After any reload running: a worker starting while one is passed around gets what it applied.
    peer.handle('config.sources', () => oneReloadAtATime(async () => sources));
    peer.handle('config.read', () => readSource());
    // The asking worker applied `next`: it is what the cluster runs now.
    peer.handle('reload.others', (trigger: string, next: ConfigSource) =>
      oneReloadAtATime(async () => {
        await commit(next);
        return reloadWorkers(trigger, next, worker.id);
      }),
    );
    // Sent before the worker asks for the sources a second time (README "Every core: workers").
    peer.onNotice('reload.ready', () => {
      member.reloadable = true;
    });
    peer.handle('metrics.cluster', () => clusterMetricsText([...members.values()].map((member) => member.peer)));
    peer.handle('dashboard.cluster', () => clusterDashboardSnapshots([...members.values()].map((member) => member.peer)));
    // Answered once every other worker has forgotten the key (one that is gone has nothing to forget).
    peer.handle('keys.invalidate', async (id: string) => {
      const others = [...members.values()].filter((other) => other.worker.id !== worker.id);
      await callEach(others.map((other) => other.peer), 'keys.forget', id);
      return null;
    });
    // 'close', not 'exit': it comes once the process has exited and its pipe has delivered every message (its last
    // rows). Nor 'disconnect': when the worker dies while the primary is handing it a connection, Node waits for an
    // acknowledgement that never comes and never emits it.
    const member: Member = { index, worker, peer, forkedAt: Date.now(), listening: false, reloadable: false, gone: Promise.resolve() };
    member.gone = new Promise<void>((resolve) => worker.process.once('close', (code: number | null, signal: string | null) => resolve(onGone(member, code, signal))));
    peer.onNotice('listening', (notice: { address: string }) => {
      member.listening = true;
      address ??= notice.address;
      if (!up && [...members.values()].every((other) => other.listening) && members.size === count) {
        up = true;
        started();
      }
    });
    members.set(worker.id, member);
    return member;
  }

  function onGone(member: Member, code: number | null, signal: string | null) {
    members.delete(member.worker.id);
    const unfinished = ledger?.workerGone(member.worker.id) ?? 0;
    const details = { worker: member.index, pid: member.worker.process.pid, code, signal, unfinishedRequests: unfinished };
    if (stopping) {
      if (code !== 0) logger.warn(details, 'worker ended with an error while stopping');
      return;
    }
    logger.error(details, 'worker exited; its unfinished requests are recorded as worker_exited; starting a replacement');
    if (!up) {
      failedToStart(new Error(`worker ${member.index} exited (code ${code}, signal ${signal}) before the gateway was up; see its log above`));
      return;
    }
    crashes = Date.now() - member.forkedAt < CRASH_WINDOW_MS ? crashes + 1 : 0;
    const delayMs = crashes === 0 ? 0 : Math.min(100 * 2 ** crashes, 10_000);
    setTimeout(() => {
      if (!stopping) fork(member.index);
    }, delayMs);
  }

  // Reloads one after the other, and the sources a starting worker asks for only between two of them: a worker
  // forked while a reload is passed around would otherwise start on the old text and never be asked to apply the new.
  let reloads: Promise<unknown> = Promise.resolve();
  function oneReloadAtATime<T>(run: () => Promise<T>): Promise<T> {
    const next = reloads.then(run);
    reloads = next.catch(() => undefined);
    return next;
  }

  async function commit(next: ConfigSource) {
    sources.current = next;
    try {
      config = liveConfig(config, await parse(next)).config;
    } catch {
      // The worker that applied it logged the outcome; the primary only follows live settings (the drain deadline).
    }
  }

  async function reloadWorkers(trigger: string, next: ConfigSource, exceptWorkerId?: number): Promise<OthersReloaded> {
    const targets = [...members.values()].filter((member) => member.reloadable && member.worker.id !== exceptWorkerId);
    const results = await Promise.allSettled(targets.map((member) => member.peer.call('reload.apply', trigger, next)));
    const refused = results.flatMap((result, position) => (result.status === 'rejected' ? [{ worker: targets[position].index, message: (result.reason as Error).message }] : []));
    return { applied: results.length - refused.length, refused };
  }

  /** SIGHUP or the config watch: the file read once here, the same text applied by every worker. */
  async function reloadAll(trigger: string): Promise<OthersReloaded> {
    let next: ConfigSource;
    try {
      next = await readSource();
    } catch (error) {
      // Refused before any worker is asked: the file cannot be read (an editor or a ConfigMap replacing it, say).
      logger.error({ trigger, code: 'config_invalid', error: (error as Error).message }, 'config reload refused: every worker keeps the running config');
      return { applied: 0, refused: [...members.values()].map((member) => ({ worker: member.index, message: (error as Error).message })) };
    }
    const outcome = await reloadWorkers(trigger, next);
    if (outcome.applied > 0) await commit(next);
    if (outcome.refused.length > 0) logger.error({ trigger, refused: outcome.refused }, 'config reload refused by some workers: they keep the running config');
    else logger.info({ trigger, workers: outcome.applied }, 'config reloaded in every worker');
    return outcome;
  }

  for (let index = 1; index <= count; index++) fork(index);
  try {
    await allListening;
  } catch (error) {
    stopping = true;
    for (const member of members.values()) member.worker.process.kill('SIGKILL');
    await Promise.all([...members.values()].map((member) => member.gone));
    await closeLedger?.();
    throw error;
  }
  logger.info(describeSharedState(config, count), `${count} workers: what they share and what each keeps`);

  return {
    address: address!,
    /** Workers running now (a replacement counts once it is forked). */
    workerPids: () => [...members.values()].map((member) => member.worker.process.pid!),
    /** SIGHUP or the config watch: the file read once, applied by every worker; resolves with who applied and who refused (each logged why). */
    reload: (trigger: string) => oneReloadAtATime(() => reloadAll(trigger)),
    /** Drains every worker (each ends its requests by the drain deadline and sends its last rows), then closes the ledger. Resolves with the exit code. */
    async stop(signal: NodeJS.Signals): Promise<number> {
      stopping = true;
      let code = 0;
      const running = [...members.values()];
      for (const member of running) member.worker.process.kill(signal);
      // A worker stuck past its own deadline (drain, abort grace, flush) is killed; its requests get worker_exited rows.
      const hardDeadline = setTimeout(() => {
        for (const member of members.values()) member.worker.process.kill('SIGKILL');
      }, config.server.drainTimeoutMs + 15_000);
      await Promise.all(running.map((member) => member.gone));
      clearTimeout(hardDeadline);
      if (running.some((member) => member.worker.process.exitCode !== 0)) code = 1;
      try {
        await ledgerWriter?.close();
      } catch (error) {
        logger.error({ err: error }, 'ledger rows could not be flushed before exit');
        code = 1;
      }
      await closeLedger?.().catch(() => undefined);
      await Promise.all([store?.close(), limiter?.close(), responses?.close()]);
      return code;
    },
  };
}

export type ClusterPrimary = Awaited<ReturnType<typeof startPrimary>>;
