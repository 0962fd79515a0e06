import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createBatchService } from '../../src/batches/batch-service.js';
import { createSqliteBatchStore } from '../../src/batches/sqlite-batch-store.js';
import { createConfigReloader } from '../../src/cli/config-reloader.js';
import { openLiveGateway } from '../../src/cli/open-live-gateway.js';
import { validateConfig } from '../../src/config/load-config.js';
import { openDashboard } from '../../src/dashboard/open-dashboard.js';
import { openFeedbackStore } from '../../src/feedback/open-feedback-store.js';
import { createKeyAuthenticator } from '../../src/keys/key-cache.js';
import { openKeyStore } from '../../src/keys/open-key-store.js';
import { openLedgerStore } from '../../src/ledger/open-ledger-store.js';
import { createSqliteJobQueue } from '../../src/queue/sqlite-job-queue.js';
import { createServer } from '../../src/server/create-server.js';
import { captureLog, type CapturedLog } from '../../src/testing/capture-log.js';

export const FULL_MASTER_KEY = 'ZnVsbC1nYXRld2F5LW1hc3Rlci1rZXk+/w==';
export const FULL_METRICS_TOKEN = 'ZnVsbC1nYXRld2F5LW1ldHJpY3MtdG9rZW4=';

export interface FullGateway {
  app: FastifyInstance;
  origin: string;
  log: CapturedLog;
  /** Plaintexts: an active key, a revoked one and an expired one. */
  keys: { active: string; revoked: string; expired: string };
  close(): Promise<void>;
}

/**
 * `frugal serve`'s wiring with every optional surface on — virtual keys, the admin API, reload, feedback, the
 * dashboard, Files and Batches, a metrics token — over one SQLite data dir, so a test sees every route there is.
 */
export async function startFullGateway(config: Record<string, unknown>): Promise<FullGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-full-'));
  const ledger = openLedgerStore({ dataDir });
  await ledger.migrate();
  const keyStore = openKeyStore({ dataDir });
  await keyStore.migrate();
  const active = (await keyStore.create({ name: 'active' })).plaintext;
  const revoked = await keyStore.create({ name: 'revoked' });
  await keyStore.revoke(revoked.key.id);
  const expired = (await keyStore.create({ name: 'expired', expiresAt: Date.now() - 1_000 })).plaintext;
  const gatewayConfig = validateConfig({ ...config, ledger: { data_dir: dataDir }, admin: { master_key: FULL_MASTER_KEY }, server: { metrics: { token: FULL_METRICS_TOKEN } } }, { env: {} });
  const log = captureLog();
  const live = openLiveGateway(gatewayConfig, { ledger: { record: () => {} }, wrap: (gateway) => gateway, onCloseError: () => {} });
  const reloader = createConfigReloader({ load: async () => gatewayConfig, live: live.gateway, build: live.build, logger: log.logger });
  const authenticator = createKeyAuthenticator(keyStore);
  await authenticator.refresh();
  const dashboard = openDashboard(gatewayConfig, { keys: keyStore });
  const batchStore = createSqliteBatchStore({ path: join(dataDir, 'ledger.sqlite') });
  await batchStore.migrate();
  const queue = createSqliteJobQueue({ path: join(dataDir, 'queue.sqlite'), leaseMs: 2_000, pollMs: 25, retryDelayMs: 50 });
  const service = createBatchService({ store: batchStore, gateway: live.gateway, queue, keys: keyStore });
  await service.start();
  const feedbackStore = openFeedbackStore({ dataDir });
  const app = createServer({
    gateway: live.gateway,
    logger: log.logger,
    keys: { store: keyStore, authenticator, masterKey: gatewayConfig.masterKey },
    spend: (query) => ledger.report(query),
    reloader,
    feedback: { store: feedbackStore, graceMs: 10 },
    batches: { service, store: batchStore },
    dashboard: dashboard.options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    log,
    keys: { active, revoked: revoked.plaintext, expired },
    async close() {
      await app.close();
      await service.stop();
      await queue.close();
      await live.close();
      await dashboard.close();
      await Promise.allSettled([batchStore.close(), feedbackStore.close(), keyStore.close(), ledger.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
