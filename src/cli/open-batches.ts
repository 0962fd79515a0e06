import type { BatchLogger } from '../batches/batch-runtime.js';
import { createBatchService, type BatchService } from '../batches/batch-service.js';
import type { BatchStore } from '../batches/batch-store.js';
import { openBatchStore } from '../batches/open-batch-store.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { KeyStore } from '../keys/key-store.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import { openJobQueue } from '../queue/open-job-queue.js';

export interface OpenedBatches {
  service: BatchService;
  store: BatchStore;
  close(): Promise<void>;
}

/**
 * The Files and Batches API for `frugal serve`: batch state beside the ledger (SQLite + files in the data dir, or
 * PostgreSQL), own-lane jobs on the configured durable queue, and this instance's workers and poller started —
 * picking up whatever a stopped or killed instance left. Undefined when batches are off or there is no ledger.
 */
export async function openBatches(
  config: GatewayConfig,
  gateway: Gateway,
  ledger: LedgerSink | undefined,
  ledgerStore: Pick<LedgerStore, 'countStored'> | undefined,
  log: BatchLogger,
  keys?: Pick<KeyStore, 'get'>,
): Promise<OpenedBatches | undefined> {
  if (!config.batches.enabled || !config.ledger.enabled) return undefined;
  const store = openBatchStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
  await store.migrate();
  const queue = await openJobQueue(config.queue, { onError: (error) => log.warn({ err: error }, 'batch queue') });
  const { batches } = config;
  const service = createBatchService({
    store,
    gateway,
    queue,
    ledger,
    keys,
    // A live writer stores a row within a flush or two; past this a line's kept row is looked for in the ledger.
    ledgerStore: ledgerStore && { store: ledgerStore, rowGraceMs: Math.max(2_000, 10 * config.ledger.flushIntervalMs) },
    log,
    settings: {
      concurrency: batches.concurrency,
      lineConcurrency: batches.lineConcurrency,
      chunkLines: batches.chunkLines,
      leaseMs: batches.leaseMs,
      pollIntervalMs: batches.pollIntervalMs,
      maxFileBytes: batches.maxFileBytes,
      maxLines: batches.maxLines,
      backgroundLane: batches.backgroundLane,
    },
  });
  await service.start();
  log.info({ store: store.description, queue: queue.kind }, 'Files and Batches API on (/v1/files, /v1/batches)');
  return {
    service,
    store,
    async close() {
      await service.stop();
      await queue.close();
      await store.close();
    },
  };
}
