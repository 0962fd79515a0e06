import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBatchService } from '../../src/batches/batch-service.js';
import { createLogger } from '../../src/cli/create-logger.js';
import { createSqliteBatchStore } from '../../src/batches/sqlite-batch-store.js';
import { validateConfig } from '../../src/config/load-config.js';
import { followCircuitStates } from '../../src/dashboard/circuit-states.js';
import { openFeedbackStore } from '../../src/feedback/open-feedback-store.js';
import { createRecentRequests } from '../../src/feedback/recent-requests.js';
import { createKeyAuthenticator } from '../../src/keys/key-cache.js';
import { openKeyStore } from '../../src/keys/open-key-store.js';
import { createLedgerWriter } from '../../src/ledger/ledger-writer.js';
import { createSqliteLedgerReader } from '../../src/ledger/sqlite-ledger-reader.js';
import { createSqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig } from '../../src/pipeline/create-gateway.js';
import { createSqliteJobQueue } from '../../src/queue/sqlite-job-queue.js';
import { createServer } from '../../src/server/create-server.js';
import { CHAT_MODEL, EMBEDDING_MODEL } from './fuzz-gateway.js';
import { sendRaw } from './raw-http.js';

export const SURFACES_MASTER_KEY = 'probe-master-key-7f3a9c1e5b2d8f40';
/** A provider credential in the config: it must never come back to a client or reach the log. */
export const PROVIDER_SECRET = 'sk-probe-provider-secret-9b8a7c6d5e4f3a2b';

/**
 * The gateway's YAML: the simulated provider (no upstream can fail, so any 5xx is Frugal's), a second provider
 * holding a credential nothing routes to, an experiment (so x-frugal-experiment is on the path) and the lanes.
 */
const SURFACES_CONFIG = {
  admin: { master_key: SURFACES_MASTER_KEY },
  providers: {
    sim: { kind: 'simulated', ttft_ms: 0, tokens_per_second: 100_000, output_tokens: 4 },
    keyed: { kind: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: PROVIDER_SECRET },
  },
  models: [
    { name: CHAT_MODEL, provider: 'sim', price: { input: 1, output: 2 } },
    { name: 'sim-strong', provider: 'sim', price: { input: 3, output: 6 } },
    { name: EMBEDDING_MODEL, provider: 'sim', type: 'embedding', price: { input: 0.1, output: 0 } },
    { name: 'keyed-model', provider: 'keyed', price: { input: 1, output: 2 } },
  ],
  routes: { ladder: { strategy: 'cascade', tiers: [CHAT_MODEL, 'sim-strong'] } },
  experiments: { split: { route: 'ladder', arms: { a: { model: CHAT_MODEL, percent: 50 }, b: { model: 'sim-strong', percent: 50 } }, sticky: 'user', start: '2020-01-01T00:00:00Z' } },
  lanes: { background: { concurrency: 4, default_deadline: '30s', max_deadline: '1h' } },
  budgets: [{ scope: 'global', limit_usd: 1_000, period: 'day' }],
};

export interface SurfacesGateway {
  port: number;
  /** Two virtual keys (plaintext) and their ids: tenant A and tenant B. */
  apiKeys: [string, string];
  keyIds: [string, string];
  /** Everything the server logged (serve's logger at level trace). */
  log(): string;
  /** Sends a normal chat request and waits for its ledger row; throws when the ledger stopped writing. */
  expectLedgerStillWriting(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real server wired the way `frugal serve` wires it (serve-command.ts): a SQLite ledger behind the batching
 * writer, recent requests for feedback, the feedback store, the Files and Batches API on the embedded queue,
 * the dashboard over a ledger reader, virtual keys on (two keys) and a master key.
 */
export async function startSurfacesGateway(): Promise<SurfacesGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-probe-'));
  const ledgerPath = join(dataDir, 'ledger.sqlite');
  const store = createSqliteLedgerStore({ path: ledgerPath });
  await store.migrate();
  const writer = createLedgerWriter(store, { flushIntervalMs: 50, onError: () => undefined });
  const recent = createRecentRequests();
  const sink = recent.sink(writer);
  const config = validateConfig(SURFACES_CONFIG, { env: {} });
  const timing = { leaseMs: 2_000, pollMs: 25, retryDelayMs: 50 };
  const gatewayQueue = createSqliteJobQueue({ ...timing, path: join(dataDir, 'lanes-queue.sqlite') });
  const gateway = createGatewayFromConfig(config, sink, undefined, undefined, undefined, gatewayQueue);
  const batchStore = createSqliteBatchStore({ path: ledgerPath });
  await batchStore.migrate();
  const batchQueue = createSqliteJobQueue({ ...timing, path: join(dataDir, 'queue.sqlite') });
  // Small limits, so a hostile upload reaches them in milliseconds.
  const service = createBatchService({ store: batchStore, gateway, queue: batchQueue, ledger: sink, settings: { pollIntervalMs: 100, leaseMs: 2_000, chunkLines: 10, maxFileBytes: 256 * 1024, maxLines: 200 } });
  await service.start();
  const keyStore = openKeyStore({ dataDir });
  await keyStore.migrate();
  const issued = [await keyStore.create({ name: 'tenant-a' }), await keyStore.create({ name: 'tenant-b' })];
  const authenticator = createKeyAuthenticator(keyStore);
  await authenticator.refresh();
  const feedback = openFeedbackStore({ dataDir });
  const reader = createSqliteLedgerReader({ path: ledgerPath });
  const circuits = followCircuitStates();
  const logged: string[] = [];
  const logSink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(chunk.toString());
      done();
    },
  });
  const app = createServer({
    gateway,
    // The logger `frugal serve` uses (its redaction included), at its most verbose.
    logger: createLogger({ level: 'trace', pretty: false }, logSink),
    keys: { store: keyStore, authenticator, masterKey: config.masterKey },
    spend: (query) => store.report(query),
    feedback: { store: feedback, recent, graceMs: 100 },
    batches: { service, store: batchStore },
    dashboard: { reader, keys: keyStore, feedback, budgets: () => config.spendControl.budgets, circuits, now: Date.now, assetsDir: join(dataDir, 'no-assets') },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const apiKeys: [string, string] = [issued[0].plaintext, issued[1].plaintext];

  return {
    port,
    apiKeys,
    keyIds: [issued[0].key.id, issued[1].key.id],
    log: () => logged.join(''),
    async expectLedgerStillWriting() {
      const marker = `probe-${randomBytes(6).toString('hex')}`;
      const since = Date.now() - 1;
      const reply = await sendRaw(port, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: [['content-type', 'application/json'], ['authorization', `Bearer ${apiKeys[0]}`]],
        body: JSON.stringify({ model: CHAT_MODEL, user: marker, messages: [{ role: 'user', content: `probe ${marker}` }] }),
      });
      if (reply.status !== 200) throw new Error(`a normal request after the fuzz failed: ${reply.status} ${reply.body.slice(0, 300)}`);
      for (let poll = 0; poll < 200; poll += 1) {
        await writer.flush().catch(() => undefined);
        const rows = await store.rows({ since });
        if (rows.some((row) => row.user === marker)) return;
        await sleep(50);
      }
      throw new Error(`the ledger stopped writing: the probe row never arrived (${writer.pending()} rows pending)`);
    },
    async close() {
      // FRUGAL_PROBE_LOG=1 prints what the server logged as errors (to find the cause behind a 500).
      if (process.env.FRUGAL_PROBE_LOG === '1') console.log(logged.filter((line) => line.includes('"level":50')).map((line) => line.slice(0, 1_500)).join(''));
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await service.stop();
      await batchQueue.close();
      await gateway.close();
      await gatewayQueue.close();
      await writer.close().catch(() => undefined);
      circuits.close();
      await reader.close();
      await feedback.close();
      await batchStore.close();
      await store.close();
      await keyStore.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
