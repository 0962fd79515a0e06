import type { Command } from 'commander';
import { createLogger } from './create-logger.js';
import { cliConfigFromSource, loadCliConfig, namingFile, namingFileSync, readCliConfigSource } from './load-cli-config.js';
import { nextStepHint } from './next-step-hint.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { joinCluster } from '../cluster/cluster-worker.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { autoWorkerCount } from '../config/available-cores.js';
import { FrugalError } from '../errors/frugal-error.js';
import { openServeLedger } from './open-serve-ledger.js';
import { servePrimary } from './serve-primary.js';
import { createDrainableGateway } from './drainable-gateway.js';
import { openLiveGateway } from './open-live-gateway.js';
import { openSpendBackend } from '../budget/open-spend-control.js';
import { spentFromLedger } from '../budget/ledger-spend-seed.js';
import { openQualityStores } from '../quality/open-quality-stores.js';
import { createConfigReloader, holdHangupsDuringStart, listenForReloads } from './config-reloader.js';
import { createServer } from '../server/create-server.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import { openKeyStore } from '../keys/open-key-store.js';
import { shareKeyInvalidationsFor } from '../keys/redis-key-invalidation.js';
import { openResponseStore } from '../responses/open-response-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { createRecentRequests } from '../feedback/recent-requests.js';
import { openDashboard } from '../dashboard/open-dashboard.js';
import { openBatches } from './open-batches.js';
import { describeJobQueue } from '../queue/open-job-queue.js';

interface ServeOptions {
  config?: string;
  port?: string;
  host?: string;
  workers?: string;
}

export function registerServeCommand(program: Command) {
  program
    .command('serve')
    .description('Serve the OpenAI-compatible gateway (embedded defaults: no Redis, no Postgres, no keys needed).')
    .option('-c, --config <file>', 'YAML config file (default: $FRUGAL_CONFIG)')
    .option('-p, --port <port>', 'port to listen on (default: $FRUGAL_PORT or 4000)')
    .option('--host <host>', 'address to bind (default: $FRUGAL_HOST or 127.0.0.1)')
    .option('--workers <n>', 'worker processes sharing the port: a number, or auto for one per core (default: server.workers or 1)')
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

export async function serve(options: ServeOptions) {
  // A SIGHUP before the reload listener is in place would end the process: held, and applied once it is up.
  const hangupsDuringStart = holdHangupsDuringStart();
  const configPath = options.config ?? process.env.FRUGAL_CONFIG;
  // A worker of `server.workers` > 1 (README "Every core: workers"): rows, memory budgets and reloads go through the primary.
  const clusterWorker = joinCluster({ parse: cliConfigFromSource });
  // A worker runs the text its primary read (the file may have changed since), the primary and a single process the file.
  const source = clusterWorker ? undefined : await readCliConfigSource(configPath);
  const loadConfig = () => (clusterWorker ? clusterWorker.currentConfig() : loadCliConfig(configPath));
  const config = source ? await cliConfigFromSource(source) : await loadConfig();
  const rootLogger = createLogger({ level: config.logLevel, pretty: config.logPretty });
  const logger = clusterWorker ? rootLogger.child({ worker: clusterWorker.index }) : rootLogger;
  const workers = clusterWorker ? 1 : workerCount(options.workers, config);
  // Checked before any store opens: Node would refuse a bad port only at listen(), in words about `options.port`.
  const port = options.port !== undefined ? portFlag(options.port) : config.server.port;
  if (workers > 1) return servePrimary({ config, source: source!, configPath, logger, workers, hangupsDuringStart, describe: (address) => startupFields(config, address) });
  // One writer path: a worker sends its rows to the primary's writer, which alone opens the spool and migrates.
  const ledger = clusterWorker ? undefined : await openServeLedger(config, logger);
  const store = ledger?.store ?? (clusterWorker && config.ledger.enabled ? openLedgerStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined);
  const writer = store && clusterWorker ? clusterWorker.ledgerWriter : ledger?.writer;
  const drainable = createDrainableGateway({ durable: writer && config.ledger.durability === 'spool' ? () => writer.durable() : undefined });
  // Requests whose rows may still wait in the writer's batch: feedback on a reply that just arrived finds them here.
  const recent = writer ? createRecentRequests() : undefined;
  // Routes hold `gateway`; a reload (SIGHUP, server.watch_config, POST /admin/reload) swaps what is behind it.
  const rowSink = writer && drainable.sink(recent ? recent.sink(writer) : writer);
  // Samples and judge scores beside the ledger (quality.routes, shadow arms); opened with the ledger, kept across reloads.
  const qualityStores = store ? openQualityStores({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  // Routes are validated as the gateway builds them: their errors name the file too.
  const live = await namingFile(configPath, async () => openLiveGateway(config, {
    ledger: rowSink,
    quality: qualityStores,
    wrap: (inner) => (clusterWorker && writer ? clusterWorker.wrap(drainable.wrap(inner)) : drainable.wrap(inner)),
    // In memory, budgets resume from the ledger's spend this period (a restart must not reset them).
    spendBackend: clusterWorker ? clusterWorker.spendBackend(config) : openSpendBackend(config, { spentBefore: store ? spentFromLedger(store) : undefined }),
    onCloseError: (error) => logger.warn({ err: error }, 'a replaced gateway did not close cleanly'),
  }));
  const gateway = live.gateway;
  // Keys live in the ledger's database; without a ledger there is nowhere to keep them.
  const keyStore = store ? openKeyStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  if (keyStore) await keyStore.migrate();
  // Files and Batches API: state beside the ledger, lines on the durable queue; resumes what a killed instance left.
  // A batch's lines stop when its key is revoked (the key store is asked as they run).
  const batches = await openBatches(config, gateway, rowSink, store, logger, keyStore);
  // Named like start-up's: a route refused on reload says which file it is in.
  const localReloader = createConfigReloader({ load: loadConfig, live: gateway, build: (next) => namingFileSync(configPath, () => live.build(next)), logger });
  const reloader = clusterWorker ? clusterWorker.reloader(localReloader) : localReloader;
  // Stored responses (/v1/responses) sit beside the ledger; with the ledger off, in a bounded in-memory LRU.
  // A worker's, with the ledger off, sit in the primary: whichever worker takes the next call finds them.
  const responseStore = clusterWorker?.responseStore(config) ?? openResponseStore({ ledgerEnabled: config.ledger.enabled, databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
  await responseStore.migrate();
  // Scores sit beside the ledger rows they score; the ledger's migrate() above created their table.
  const feedbackStore = store ? openFeedbackStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  const localAuthenticator = keyStore ? createKeyAuthenticator(keyStore, { onRefreshError: (error) => logger.error({ err: error }, 'could not count virtual keys') }) : undefined;
  // With Redis configured, a key revoked on any instance is refused by every instance at once (README "Several replicas").
  const sharedKeys = localAuthenticator && shareKeyInvalidationsFor(config, localAuthenticator, (error) => logger.warn({ err: error }, 'key invalidations over Redis'));
  const authenticator = sharedKeys?.authenticator ?? (clusterWorker && localAuthenticator ? clusterWorker.relayKeyInvalidations(localAuthenticator) : localAuthenticator);
  await authenticator?.refresh();
  // The dashboard reads the ledger on a connection of its own (GET /dashboard, /admin/api/…).
  const dashboard = store ? openDashboard(config, { keys: keyStore, feedback: feedbackStore, current: () => gateway.config }) : undefined;
  // Any worker may answer a page: it shows the breakers and alerts of all of them.
  const { circuits, alerts } = dashboard?.options ?? {};
  const dashboardOptions = dashboard && clusterWorker && circuits && alerts ? { ...dashboard.options, ...clusterWorker.dashboardState({ circuits, alerts }) } : dashboard?.options;
  const app = createServer({
    gateway,
    logger,
    keys: keyStore && authenticator ? { store: keyStore, authenticator, masterKey: config.masterKey } : undefined,
    spend: store ? (query) => store.report(query) : undefined,
    responses: responseStore,
    reloader,
    // Another instance sharing the ledger may hold a row until its next flush: look again for two flush intervals.
    feedback: feedbackStore && { store: feedbackStore, recent, graceMs: 2 * config.ledger.flushIntervalMs },
    batches: batches && { service: batches.service, store: batches.store },
    dashboard: dashboardOptions,
    metrics: clusterWorker?.metrics,
  });

  for (const note of config.notes) logger.warn(note);
  if (!authenticator?.requiredNow()) logger.warn('no virtual keys configured: the gateway is open to anyone who can reach it');
  if (!store) logger.warn(`ledger disabled: stored responses (/v1/responses) are kept in ${responseStore.description}`);
  if (!config.masterKey) logger.info('admin API disabled: set FRUGAL_MASTER_KEY to manage keys over HTTP (or use `frugal keys`)');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopReloads();
    const drainTimeoutMs = gateway.config.server.drainTimeoutMs;
    logger.info({ signal, drainTimeoutMs, inFlight: drainable.inFlight() }, 'shutting down: no new requests; in-flight requests may finish until the drain deadline');
    let code = 0;
    // Stops listening at once; Fastify answers 503 on kept-alive connections and closes idle ones.
    const closed = app.close();
    // Batch lines running now finish through the gateway before it drains; the rest wait for the next start.
    await batches?.close().catch((error: unknown) => logger.warn({ err: error }, 'batch workers did not stop cleanly'));
    // Requests still running at the deadline are ended with a `shutdown` error (an error event in a stream) and
    // their rows written: no acknowledged request without a row.
    const drained = await drainable.drain(drainTimeoutMs);
    logger.info(drained, 'requests drained');
    // A finished stream leaves its keep-alive socket open: close what is idle now, cut the rest soon after.
    app.server.closeIdleConnections();
    const grace = setTimeout(() => app.server.closeAllConnections(), 1_000);
    grace.unref();
    await closed.catch((error: unknown) => logger.warn({ err: error }, 'the HTTP server did not close cleanly'));
    // Before the writer: closing the gateway ends its background quality work (judges, shadow calls), whose rows
    // must still reach the ledger.
    await live.close();
    try {
      await writer?.close();
    } catch (error) {
      // The writer keeps rows it could not write and says so; exiting non-zero tells the supervisor.
      logger.error({ err: error }, 'ledger rows could not be flushed before exit');
      code = 1;
    }
    await store?.close().catch(() => undefined);
    await keyStore?.close().catch(() => undefined);
    await sharedKeys?.close().catch(() => undefined);
    await responseStore.close().catch(() => undefined);
    await feedbackStore?.close().catch(() => undefined);
    await dashboard?.close().catch(() => undefined);
    await qualityStores?.close();
    logger.flush();
    process.exit(code);
  };
  // A worker may get a signal twice (from its process group, then from the primary): the second must not end it.
  const onSignal = clusterWorker ? 'on' : 'once';
  process[onSignal]('SIGTERM', () => void stop('SIGTERM'));
  process[onSignal]('SIGINT', () => void stop('SIGINT'));
  // A worker's SIGHUP and config watch are the primary's, which passes each reload on to every worker.
  await clusterWorker?.listenForReloads(localReloader);
  const stopReloads = clusterWorker ? () => undefined : listenForReloads(reloader, { watch: config.server.watchConfig ? configPath : undefined });
  // A worker's own signals are ignored (joinCluster): the primary passes SIGHUP on.
  if (hangupsDuringStart() && !clusterWorker) void reloader.reload('SIGHUP').catch(() => undefined);

  const host = options.host ?? config.server.host;
  const address = await app.listen({ port, host });
  if (clusterWorker) {
    clusterWorker.listening(address);
    logger.info({ pid: process.pid }, 'worker listening');
  } else {
    logger.info({ ...startupFields(config, address), storedResponses: responseStore.description }, `Frugal listening on ${address}/v1`);
    logger.info(nextStepHint(config, address));
  }
  return { app, address };
}

/** What the start-up line says about the running gateway. */
function startupFields(config: GatewayConfig, address: string) {
  return {
    address,
    providers: [...config.providers.values()].map((provider) => `${provider.name} (${provider.kind})`),
    models: config.models.size,
    routes: Object.keys(config.routes),
    ledger: !config.ledger.enabled ? 'off' : config.ledger.databaseUrl ? `postgres at ${databaseWhere(config.ledger.databaseUrl)}` : `sqlite in ${config.ledger.dataDir}`,
    // Which queue engine background work and batch lines run through, and why (opened on first use).
    queue: describeJobQueue(config.queue),
    demoMode: config.demoMode,
  };
}

/** --workers wins over server.workers; `auto` is one per available core (within a container's CPU limit). */
function workerCount(flag: string | undefined, config: GatewayConfig): number {
  if (flag === undefined) return config.server.workers;
  if (flag === 'auto') return autoWorkerCount();
  const count = Number(flag);
  if (!Number.isSafeInteger(count) || count < 1 || count > 256) throw new FrugalError('config_invalid', `--workers must be a whole number from 1 to 256, or auto (got '${flag}')`);
  return count;
}

/** --port as a number Node will listen on (0: any free port). */
function portFlag(flag: string): number {
  const port = /^\d+$/.test(flag) ? Number(flag) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new FrugalError('config_invalid', `--port must be a whole number from 0 to 65535 (got '${flag}')`);
  return port;
}

/** host:port/database of a PostgreSQL URL, never its user or password. */
function databaseWhere(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}
