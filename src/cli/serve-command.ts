import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../config/load-config.js';
import { createLedgerWriter } from '../ledger/ledger-writer.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { createGatewayFromConfig } from '../pipeline/create-gateway.js';
import { createServer } from '../server/create-server.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import { openKeyStore } from '../keys/open-key-store.js';

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
  const config = await loadConfig(options.config ?? process.env.FRUGAL_CONFIG);
  const logger = pino({
    level: config.logLevel,
    base: { service: 'frugal' },
    // Defence in depth: nothing logs these, and if something ever does, they are censored.
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.apiKey', '*.api_key'],
  });
  const store = config.ledger.enabled ? openLedgerStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  if (store) await store.migrate();
  const writer = store
    ? createLedgerWriter(store, {
        flushIntervalMs: config.ledger.flushIntervalMs,
        maxBatch: config.ledger.batchSize,
        onError: (error: unknown) => logger.error({ err: error }, 'ledger write failed; rows kept for retry'),
      })
    : undefined;
  const gateway = createGatewayFromConfig(config, writer);
  // Keys live in the ledger's database; without a ledger there is nowhere to keep them.
  const keyStore = store ? openKeyStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir }) : undefined;
  if (keyStore) await keyStore.migrate();
  const authenticator = keyStore ? createKeyAuthenticator(keyStore, { onRefreshError: (error) => logger.error({ err: error }, 'could not count virtual keys') }) : undefined;
  await authenticator?.refresh();
  const app = createServer({
    gateway,
    logger,
    keys: keyStore && authenticator ? { store: keyStore, authenticator, masterKey: config.masterKey } : undefined,
    spend: store ? (query) => store.report(query) : undefined,
  });

  for (const note of config.notes) logger.warn(note);
  if (!authenticator?.requiredNow()) logger.warn('no virtual keys configured: the gateway is open to anyone who can reach it');
  if (!config.masterKey) logger.info('admin API disabled: set FRUGAL_MASTER_KEY to manage keys over HTTP (or use `frugal keys`)');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests and flushing the ledger');
    let code = 0;
    // In-flight requests get a grace period; keep-alive connections that outlive it are cut.
    const grace = setTimeout(() => app.server.closeAllConnections(), 10_000);
    grace.unref();
    try {
      await app.close();
      await writer?.close();
    } catch (error) {
      // The writer keeps rows it could not write and says so; exiting non-zero tells the supervisor.
      logger.error({ err: error }, 'ledger rows could not be flushed before exit');
      code = 1;
    }
    await store?.close().catch(() => undefined);
    await keyStore?.close().catch(() => undefined);
    await gateway.close();
    logger.flush();
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  const port = options.port !== undefined ? Number(options.port) : config.server.port;
  const host = options.host ?? config.server.host;
  const address = await app.listen({ port, host });
  logger.info(
    {
      address,
      providers: [...config.providers.values()].map((provider) => `${provider.name} (${provider.kind})`),
      models: config.models.size,
      ledger: !store ? 'off' : config.ledger.databaseUrl ? 'postgres' : `sqlite in ${config.ledger.dataDir}`,
      demoMode: config.demoMode,
    },
    `Frugal listening on ${address}/v1`,
  );
  return { app, address };
}
