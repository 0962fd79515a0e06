import type { Logger } from 'pino';
import { startPrimary } from '../cluster/cluster-primary.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { ConfigSource } from '../config/load-config.js';
import { openKeyStore } from '../keys/open-key-store.js';
import { openResponseStore } from '../responses/open-response-store.js';
import { listenForReloads } from './config-reloader.js';
import { cliConfigFromSource, readCliConfigSource } from './load-cli-config.js';
import { openServeLedger } from './open-serve-ledger.js';
import { nextStepHint } from './next-step-hint.js';
import { spentFromLedger } from '../budget/ledger-spend-seed.js';

export interface ServePrimaryOptions {
  config: GatewayConfig;
  /** What `config` was read from: the workers start on this text, not on a second read of the file. */
  source: ConfigSource;
  configPath: string | undefined;
  logger: Logger;
  workers: number;
  /** Stops holding SIGHUPs sent while the gateway started, and says whether one came (then the file is re-read once up). */
  hangupsDuringStart: () => boolean;
  /** The start-up line's fields (providers, models, routes, ledger...), as a single process logs them. */
  describe: (address: string) => Record<string, unknown>;
}

/**
 * `frugal serve` with `server.workers` above 1, in the primary process: opens the one ledger writer, runs every
 * migration before any worker starts (N workers migrating one SQLite file at once would race), forks the workers
 * and passes SIGHUP, the config watch and SIGTERM/SIGINT on to them. The workers run serve() themselves.
 */
export async function servePrimary({ config, source, configPath, logger, workers, hangupsDuringStart, describe }: ServePrimaryOptions) {
  const ledger = await openServeLedger(config, logger);
  if (ledger) {
    const keyStore = openKeyStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
    await keyStore.migrate();
    await keyStore.close();
  }
  const responseStore = openResponseStore({ ledgerEnabled: config.ledger.enabled, databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
  await responseStore.migrate();
  await responseStore.close();

  const primary = await startPrimary({
    workers,
    config,
    source,
    readSource: () => readCliConfigSource(configPath),
    parse: cliConfigFromSource,
    logger,
    ledgerWriter: ledger?.writer,
    // The memory budgets (kept here) resume from the ledger's spend this period: a restart must not reset them.
    spentBefore: ledger ? spentFromLedger(ledger.store) : undefined,
    closeLedger: () => ledger?.store.close() ?? Promise.resolve(),
  });
  const stopReloads = listenForReloads({ reload: (trigger) => primary.reload(trigger) }, { watch: config.server.watchConfig ? configPath : undefined });
  if (hangupsDuringStart()) void primary.reload('SIGHUP');
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stopReloads();
    logger.info({ signal, workers: primary.workerPids().length }, 'shutting down: every worker drains its requests, then the ledger is flushed');
    const code = await primary.stop(signal);
    logger.info({ code }, 'every worker has stopped');
    logger.flush();
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  logger.info({ ...describe(primary.address), workers, pid: process.pid }, `Frugal listening on ${primary.address}/v1`);
  logger.info(nextStepHint(config, primary.address));
  return { address: primary.address, primary };
}
