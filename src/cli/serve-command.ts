import { join } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from './create-logger.js';
import { loadCliConfig } from './load-cli-config.js';
import { quarantineFile } from '../ledger/ledger-quarantine.js';
import { openLedgerSpool } from '../ledger/ledger-spool.js';
import { createLedgerWriter } from '../ledger/ledger-writer.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { replaySpool } from '../ledger/replay-spool.js';
import { createDrainableGateway } from './drainable-gateway.js';
import { openLiveGateway } from './open-live-gateway.js';
import { createConfigReloader, listenForReloads } from './config-reloader.js';
import { createServer } from '../server/create-server.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import { openKeyStore } from '../keys/open-key-store.js';
import { openResponseStore } from '../responses/open-response-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { createRecentRequests } from '../feedback/recent-requests.js';

interface ServeOptions {
  config?: string;
  port?: string;
  host?: string;
}

export function registerServeCommand(program: Command) {
  program
    .command('serve')
    .description('Serve the OpenAI-compatible gateway (embedded defaults: no Redis, no Postgres, no keys needed).')
    .option('-c, --config <file>', 'YAML config file (default: $FRUGAL_CONFIG)')
    .option('-p, --port <port>', 'port to listen on (default: $FRUGAL_PORT or 4000)')
    .option('--host <host>', 'address to bind (default: $FRUGAL_HOST or 127.0.0.1)')
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

export async function serve(options: ServeOptions) {
  const configPath = options.config ?? process.env.FRUGAL_CONFIG;
  const config = await loadCliConfig(configPath);
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty });
  const store = config.ledger.enabled ? openLedgerStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  if (store) await store.migrate();
  const { dataDir } = config.ledger;
  const opened = store && config.ledger.durability === 'spool' ? await openLedgerSpool({ dir: join(dataDir, 'spool'), onError: (error) => logger.error({ err: error }, 'ledger spool') }) : undefined;
  const writer = store
    ? createLedgerWriter(store, {
        flushIntervalMs: config.ledger.flushIntervalMs,
        maxBatch: config.ledger.batchSize,
        onError: (error: unknown) => logger.error({ err: error }, 'ledger'),
        quarantine: quarantineFile(join(dataDir, 'ledger-quarantine.jsonl')),
        spool: opened?.spool,
      })
    : undefined;
  if (store && writer && opened) {
    // Rows a killed process acknowledged but never wrote: back before the first new request.
    const replay = await replaySpool(opened.leftover, store, writer, opened.spool);
    if (opened.leftover.files.length > 0) logger.info(replay, 'ledger spool replayed');
  }
  const drainable = createDrainableGateway({ durable: opened ? () => writer!.durable() : undefined });
  // Requests whose rows may still wait in the writer's batch: feedback on a reply that just arrived finds them here.
  const recent = writer ? createRecentRequests() : undefined;
  // Routes hold `gateway`; a reload (SIGHUP, server.watch_config, POST /admin/reload) swaps what is behind it.
  const live = openLiveGateway(config, {
    ledger: writer && drainable.sink(recent ? recent.sink(writer) : writer),
    wrap: (inner) => drainable.wrap(inner),
    onCloseError: (error) => logger.warn({ err: error }, 'a replaced gateway did not close cleanly'),
  });
  const gateway = live.gateway;
  const reloader = createConfigReloader({ load: () => loadCliConfig(configPath), live: gateway, build: live.build, logger });
  // Keys live in the ledger's database; without a ledger there is nowhere to keep them.
  const keyStore = store ? openKeyStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  if (keyStore) await keyStore.migrate();
  // Stored responses (/v1/responses) sit beside the ledger; with the ledger off, in a bounded in-memory LRU.
  const responseStore = openResponseStore({ ledgerEnabled: config.ledger.enabled, databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
  await responseStore.migrate();
  // Scores sit beside the ledger rows they score; the ledger's migrate() above created their table.
  const feedbackStore = store ? openFeedbackStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  const authenticator = keyStore ? createKeyAuthenticator(keyStore, { onRefreshError: (error) => logger.error({ err: error }, 'could not count virtual keys') }) : undefined;
  await authenticator?.refresh();
  const app = createServer({
    gateway,
    logger,
    keys: keyStore && authenticator ? { store: keyStore, authenticator, masterKey: config.masterKey } : undefined,
    spend: store ? (query) => store.report(query) : undefined,
    responses: responseStore,
    reloader,
    // Another instance sharing the ledger may hold a row until its next flush: look again for two flush intervals.
    feedback: feedbackStore && { store: feedbackStore, recent, graceMs: 2 * config.ledger.flushIntervalMs },
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
    // Requests still running at the deadline are ended with a `shutdown` error (an error event in a stream) and
    // their rows written: no acknowledged request without a row.
    const drained = await drainable.drain(drainTimeoutMs);
    logger.info(drained, 'requests drained');
    // A finished stream leaves its keep-alive socket open: close what is idle now, cut the rest soon after.
    app.server.closeIdleConnections();
    const grace = setTimeout(() => app.server.closeAllConnections(), 1_000);
    grace.unref();
    await closed.catch((error: unknown) => logger.warn({ err: error }, 'the HTTP server did not close cleanly'));
    try {
      await writer?.close();
    } catch (error) {
      // The writer keeps rows it could not write and says so; exiting non-zero tells the supervisor.
      logger.error({ err: error }, 'ledger rows could not be flushed before exit');
      code = 1;
    }
    await store?.close().catch(() => undefined);
    await keyStore?.close().catch(() => undefined);
    await responseStore.close().catch(() => undefined);
    await feedbackStore?.close().catch(() => undefined);
    await live.close();
    logger.flush();
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const stopReloads = listenForReloads(reloader, { watch: config.server.watchConfig ? configPath : undefined });

  const port = options.port !== undefined ? Number(options.port) : config.server.port;
  const host = options.host ?? config.server.host;
  const address = await app.listen({ port, host });
  logger.info(
    {
      address,
      providers: [...config.providers.values()].map((provider) => `${provider.name} (${provider.kind})`),
      models: config.models.size,
      routes: Object.keys(config.routes),
      ledger: !store ? 'off' : config.ledger.databaseUrl ? `postgres at ${databaseWhere(config.ledger.databaseUrl)}` : `sqlite in ${config.ledger.dataDir}`,
      storedResponses: responseStore.description,
      demoMode: config.demoMode,
    },
    `Frugal listening on ${address}/v1`,
  );
  return { app, address };
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
