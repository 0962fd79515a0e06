import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createBatchService, type BatchService } from '../batches/batch-service.js';
import type { BatchSettings } from '../batches/batch-runtime.js';
import type { BatchStore } from '../batches/batch-store.js';
import { createSqliteBatchStore } from '../batches/sqlite-batch-store.js';
import { createPostgresBatchStore } from '../batches/postgres-batch-store.js';
import { createPgBossJobQueue } from '../queue/pg-boss-job-queue.js';
import { validateConfig } from '../config/load-config.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createGatewayFromConfig, type Gateway } from '../pipeline/create-gateway.js';
import { createSqliteJobQueue } from '../queue/sqlite-job-queue.js';
import type { JobQueue } from '../queue/job-queue.js';
import { createServer } from '../server/create-server.js';
import { createKeyAuthenticator, type KeyAuthenticator } from '../keys/key-cache.js';
import type { KeyStore } from '../keys/key-store.js';
import { openKeyStore } from '../keys/open-key-store.js';

export interface BatchGateway {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  gateway: Gateway;
  service: BatchService;
  store: BatchStore;
  queue: JobQueue;
  rows: LedgerRow[];
  dataDir: string;
  /** Two virtual keys (plaintext), when started with `keys: true`. */
  apiKeys: string[];
  /** Their ids, in the same order. */
  keyIds: string[];
  /** Revokes a key as `/admin/keys/{id}/revoke` does. */
  revokeKey(id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real server with the Files and Batches API on: batch state in SQLite and jobs on the embedded SQLite queue,
 * both in a temp data dir; ledger rows collected in memory. Short leases and polls so tests run in seconds.
 */
export async function startBatchGateway(config: Record<string, unknown>, settings: Partial<BatchSettings> = {}, options: { keys?: boolean | { rpm: number }; postgres?: { url: string; schema: string } } = {}): Promise<BatchGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-batch-gw-'));
  const rows: LedgerRow[] = [];
  const ledger = { record: (row: LedgerRow) => rows.push(row) };
  // The data dir is the test's own: the gateway's background-lane queue (where batch lines wait their turn) lives there.
  const withDataDir = { ...config, ledger: { data_dir: dataDir, ...(config.ledger as Record<string, unknown> | undefined) } };
  const gateway = createGatewayFromConfig(validateConfig(withDataDir, { env: {} }), ledger);
  const pg = options.postgres;
  const store = pg ? createPostgresBatchStore({ connectionString: pg.url, schema: pg.schema }) : createSqliteBatchStore({ path: join(dataDir, 'ledger.sqlite') });
  await store.migrate();
  const timing = { leaseMs: 2_000, pollMs: 25, retryDelayMs: 50 };
  const queue = pg
    ? await createPgBossJobQueue({ ...timing, connectionString: pg.url, schema: `${pg.schema}_queue` })
    : createSqliteJobQueue({ ...timing, path: join(dataDir, 'queue.sqlite') });
  const keyStore = options.keys ? openKeyStore({ dataDir }) : undefined;
  const apiKeys: string[] = [];
  const keyIds: string[] = [];
  let keys: { store: KeyStore; authenticator: KeyAuthenticator; masterKey: undefined } | undefined;
  if (keyStore) {
    await keyStore.migrate();
    for (const name of ['first', 'second']) {
      const issued = await keyStore.create({ name, ...(typeof options.keys === 'object' ? { rateLimits: { rpm: options.keys.rpm, tpm: null } } : {}) });
      apiKeys.push(issued.plaintext);
      keyIds.push(issued.key.id);
    }
    const authenticator = createKeyAuthenticator(keyStore);
    await authenticator.refresh();
    keys = { store: keyStore, authenticator, masterKey: undefined };
  }
  const service = createBatchService({ store, gateway, queue, ledger, keys: keyStore, settings: { pollIntervalMs: 100, leaseMs: 2_000, chunkLines: 10, ...settings } });
  await service.start();
  const app = createServer({ gateway, logger: pino({ level: 'silent' }), batches: { service, store }, keys });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    gateway,
    service,
    store,
    queue,
    rows,
    dataDir,
    apiKeys,
    keyIds,
    revokeKey: async (id) => {
      if (!keys) throw new Error('started without keys');
      await keys.store.revoke(id);
      await keys.authenticator.invalidate(id);
    },
    async close() {
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await service.stop();
      await queue.close();
      await store.close();
      await keyStore?.close();
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
