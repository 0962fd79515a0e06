import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateConfig } from '../config/load-config.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { createRecentRequests, type RecentRequests } from '../feedback/recent-requests.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import { openKeyStore } from '../keys/open-key-store.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createLedgerWriter, type LedgerWriter } from '../ledger/ledger-writer.js';
import { createPostgresLedgerStore } from '../ledger/postgres-ledger-store.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig } from '../pipeline/create-gateway.js';
import { createServer } from '../server/create-server.js';
import { TEST_MASTER_KEY } from './start-keyed-gateway.js';

export type FeedbackBackend = { kind: 'sqlite' } | { kind: 'postgres'; connectionString: string; schema: string };

export interface FeedbackGatewayOptions {
  /** The gateway's YAML as an object. */
  config: Record<string, unknown>;
  env?: Record<string, string>;
  backend: FeedbackBackend;
  /** Issue two virtual keys (and enable the master key); default: a gateway without keys. */
  keyed?: boolean;
  /** The ledger writer's flush interval; tests of unflushed rows set it far beyond the test's length. */
  flushIntervalMs?: number;
  /** Feed the recent-requests map as `frugal serve` does (default true). */
  recent?: boolean;
  graceMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

export interface FeedbackGateway {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** origin + /v1, for an SDK's baseURL. */
  baseUrl: string;
  /** Plaintexts of the two virtual keys (empty without keys) and their ids. */
  apiKeys: string[];
  keyIds: string[];
  masterKey: string;
  ledger: LedgerStore;
  feedback: FeedbackStore;
  writer: LedgerWriter;
  recent: RecentRequests;
  /** The SQLite data directory (undefined on PostgreSQL). */
  dataDir: string | undefined;
  close(): Promise<void>;
}

/**
 * A real server the way `frugal serve` wires feedback: a real ledger (SQLite in a temp dir or a PostgreSQL
 * schema) behind the batching writer, the recent-requests map on the ledger sink, the feedback store beside it.
 */
export async function startFeedbackGateway(options: FeedbackGatewayOptions): Promise<FeedbackGateway> {
  const { backend } = options;
  const dataDir = backend.kind === 'sqlite' ? await mkdtemp(join(tmpdir(), 'frugal-feedback-gw-')) : undefined;
  const where = backend.kind === 'sqlite' ? { dataDir: dataDir! } : { databaseUrl: backend.connectionString, dataDir: 'unused', schema: backend.schema };
  const ledger = backend.kind === 'sqlite' ? createSqliteLedgerStore({ path: join(dataDir!, 'ledger.sqlite') }) : createPostgresLedgerStore({ connectionString: backend.connectionString, schema: backend.schema });
  await ledger.migrate();
  const writer = createLedgerWriter(ledger, { flushIntervalMs: options.flushIntervalMs ?? 20, onError: () => {} });
  const recent = createRecentRequests();
  const keyStore = options.keyed ? openKeyStore(where) : undefined;
  const apiKeys: string[] = [];
  const keyIds: string[] = [];
  for (const name of keyStore ? ['first', 'second'] : []) {
    const issued = await keyStore!.create({ name });
    apiKeys.push(issued.plaintext);
    keyIds.push(issued.key.id);
  }
  const authenticator = keyStore && createKeyAuthenticator(keyStore);
  await authenticator?.refresh();
  const feedback = openFeedbackStore(where);
  const config = validateConfig(options.config, { env: options.env ?? {} });
  const gateway = createGatewayFromConfig(config, options.recent === false ? writer : recent.sink(writer));
  const app = createServer({
    gateway,
    logger: pino({ level: 'silent' }),
    keys: keyStore && authenticator ? { store: keyStore, authenticator, masterKey: TEST_MASTER_KEY } : undefined,
    feedback: { store: feedback, recent: options.recent === false ? undefined : recent, graceMs: options.graceMs, sleep: options.sleep },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    apiKeys,
    keyIds,
    masterKey: TEST_MASTER_KEY,
    ledger,
    feedback,
    writer,
    recent,
    dataDir,
    async close() {
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await gateway.close();
      await writer.close().catch(() => undefined);
      await feedback.close();
      await keyStore?.close();
      await ledger.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
