import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { validateConfig } from '../config/load-config.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import { openKeyStore } from '../keys/open-key-store.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createGatewayFromConfig } from '../pipeline/create-gateway.js';
import { createServer } from '../server/create-server.js';
import { openResponseStore } from '../responses/open-response-store.js';

export const TEST_MASTER_KEY = 'master-key-for-tests-0123456789';

export interface KeyedGateway {
  app: FastifyInstance;
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** A valid virtual key: one exists, so every keyed route requires one. */
  apiKey: string;
  rows: LedgerRow[];
  close(): Promise<void>;
}

/**
 * A real server with virtual keys on (SQLite key store in a temp dir, one active key) and the admin API
 * enabled; `config` is the gateway's YAML as an object. `beforeListen` may add routes.
 */
export async function startKeyedGateway(config: Record<string, unknown>, env: Record<string, string> = {}, beforeListen?: (app: FastifyInstance) => void): Promise<KeyedGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-keyed-'));
  const store = openKeyStore({ dataDir });
  await store.migrate();
  const authenticator = createKeyAuthenticator(store);
  const { plaintext } = await store.create({ name: 'test' });
  await authenticator.refresh();
  const rows: LedgerRow[] = [];
  const gateway = createGatewayFromConfig(validateConfig(config, { env }), { record: (row) => rows.push(row) });
  // Stored responses in the same SQLite file as the keys, as `frugal serve` opens them.
  const responses = openResponseStore({ ledgerEnabled: true, dataDir });
  await responses.migrate();
  const app = createServer({ gateway, logger: pino({ level: 'silent' }), keys: { store, authenticator, masterKey: TEST_MASTER_KEY }, responses });
  beforeListen?.(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    port,
    origin: `http://127.0.0.1:${port}`,
    apiKey: plaintext,
    rows,
    async close() {
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await gateway.close();
      await store.close();
      await responses.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
