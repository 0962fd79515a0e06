import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load-config.js';
import { createKeyAuthenticator } from '../../src/keys/key-cache.js';
import { openKeyStore } from '../../src/keys/open-key-store.js';
import type { LedgerStore } from '../../src/ledger/ledger-store.js';
import { createLedgerWriter } from '../../src/ledger/ledger-writer.js';
import { createPostgresLedgerStore } from '../../src/ledger/postgres-ledger-store.js';
import { createSqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig } from '../../src/pipeline/create-gateway.js';
import { createServer } from '../../src/server/create-server.js';
import { channels } from '../../src/telemetry/events.js';
import { TEST_DATABASE_URL } from '../../src/testing/services.js';
import { sendRaw } from './raw-http.js';

export const MASTER_KEY = 'fuzz-master-key-0123456789abcdef';
export const CHAT_MODEL = 'sim-chat';
export const EMBEDDING_MODEL = 'sim-embed';

/** The fuzz config: only the built-in simulated provider, so no upstream ever fails and any 5xx is ours. */
const FUZZ_CONFIG = {
  providers: { sim: { kind: 'simulated', ttft_ms: 0, tokens_per_second: 100_000, output_tokens: 4 } },
  models: [
    { name: CHAT_MODEL, provider: 'sim', price: { input: 1, output: 2 } },
    { name: 'sim-strong', provider: 'sim', price: { input: 3, output: 6 } },
    { name: EMBEDDING_MODEL, provider: 'sim', type: 'embedding', price: { input: 0.1, output: 0 } },
  ],
  routes: { ladder: { strategy: 'cascade', tiers: [CHAT_MODEL, 'sim-strong'] }, either: { strategy: 'fallback', chain: [CHAT_MODEL, 'sim-strong'] } },
  // The exact and semantic caches hash and canonicalise every request body: both are on the fuzzed path.
  cache: { enabled: true, semantic: { enabled: true } },
  budgets: [{ scope: 'global', limit_usd: 1_000, period: 'day' }],
};

export interface FuzzGateway {
  port: number;
  /** A virtual key that passes when keys are on. */
  apiKey: string | undefined;
  /** Circuit state changes seen since start: the fuzz must move none (only upstream failures may). */
  breakerMoves: string[];
  /** Sends a normal request and waits for its row in the store; throws when the ledger stopped writing. */
  expectLedgerStillWriting(): Promise<void>;
  close(): Promise<void>;
}

export interface FuzzGatewayOptions {
  ledger: 'sqlite' | 'postgres';
  /** Turns virtual keys on (one key is created, so every /v1 call then needs one) and the admin API. */
  keys?: boolean;
}

/** The real server (createServer over the real pipeline), its ledger written by the real writer to a real store. */
export async function startFuzzGateway(options: FuzzGatewayOptions): Promise<FuzzGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-fuzz-'));
  const schema = `frugal_fuzz_${randomBytes(4).toString('hex')}`;
  const store: LedgerStore = options.ledger === 'postgres' ? createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema }) : createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await store.migrate();
  const writer = createLedgerWriter(store, { flushIntervalMs: 50, onError: () => undefined });
  const config = validateConfig(FUZZ_CONFIG, { env: {} });
  const gateway = createGatewayFromConfig(config, writer);
  const keyStore = options.keys ? openKeyStore({ dataDir }) : undefined;
  await keyStore?.migrate();
  const authenticator = keyStore ? createKeyAuthenticator(keyStore) : undefined;
  await authenticator?.refresh();
  const app = createServer({
    gateway,
    logger: pino({ level: 'silent' }),
    keys: keyStore && authenticator ? { store: keyStore, authenticator, masterKey: MASTER_KEY } : undefined,
    spend: (query) => store.report(query),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;

  const breakerMoves: string[] = [];
  const onBreaker = (message: unknown) => breakerMoves.push(JSON.stringify(message));
  channels.circuitState.subscribe(onBreaker);

  let apiKey: string | undefined;
  if (options.keys) {
    const created = await sendRaw(port, {
      method: 'POST',
      path: '/admin/keys',
      headers: [['authorization', `Bearer ${MASTER_KEY}`], ['content-type', 'application/json']],
      body: JSON.stringify({ name: 'fuzz' }),
    });
    if (created.status !== 201) throw new Error(`could not create the fuzz key: ${created.status} ${created.body}`);
    apiKey = (JSON.parse(created.body) as { key: string }).key;
  }

  return {
    port,
    apiKey,
    breakerMoves,
    async expectLedgerStillWriting() {
      const marker = `fuzz-probe-${randomBytes(6).toString('hex')}`;
      const since = Date.now() - 1;
      const reply = await sendRaw(port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: [['content-type', 'application/json'], ...(apiKey ? [['authorization', `Bearer ${apiKey}`] as [string, string]] : [])],
        body: JSON.stringify({ model: CHAT_MODEL, user: marker, messages: [{ role: 'user', content: `probe ${marker}` }] }),
      });
      if (reply.status !== 200) throw new Error(`a normal request after the fuzz failed: ${reply.status} ${reply.body.slice(0, 300)}`);
      // The writer flushes every 50 ms; 200 polls are far more than a healthy ledger needs.
      for (let poll = 0; poll < 200; poll += 1) {
        await writer.flush().catch(() => undefined);
        const rows = await store.rows({ since });
        if (rows.some((row) => row.user === marker)) return;
        await sleep(50);
      }
      throw new Error(`the ${options.ledger} ledger stopped writing: the probe row never arrived (${writer.pending()} rows pending)`);
    },
    async close() {
      channels.circuitState.unsubscribe(onBreaker);
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await gateway.close();
      await writer.close().catch(() => undefined);
      await store.close();
      await keyStore?.close();
      await rm(dataDir, { recursive: true, force: true });
      if (options.ledger === 'postgres') await dropSchema(schema);
    },
  };
}

async function dropSchema(schema: string) {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}
