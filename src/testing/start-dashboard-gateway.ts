import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { validateConfig } from '../config/load-config.js';
import { followCircuitStates } from '../dashboard/circuit-states.js';
import { followRecentAlerts } from '../dashboard/recent-alerts.js';
import { openLedgerSqlClient } from '../experiments/experiment-stats.js';
import { openSampleStore } from '../quality/open-sample-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { createKeyAuthenticator } from '../keys/key-cache.js';
import { openKeyStore } from '../keys/open-key-store.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload, WORKLOAD_START } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerReader } from '../ledger/sqlite-ledger-reader.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig } from '../pipeline/create-gateway.js';
import { createServer } from '../server/create-server.js';

export const DASHBOARD_MASTER_KEY = 'dashboard-master-key-0123456789';
const DAY = 86_400_000;
/** The dashboard's clock in these tests: two weeks into the workload (which spans 2025-03-03 to 2025-03-17). */
export const DASHBOARD_NOW = WORKLOAD_START + 14 * DAY;

export interface DashboardGateway {
  app: FastifyInstance;
  origin: string;
  /** The SQLite ledger's directory, for `frugal report --data-dir`. */
  dataDir: string;
  /** Two virtual keys; the workload's rows of `key_a` and `key_b` carry their ids. */
  keyA: { id: string; plaintext: string };
  keyB: { id: string; plaintext: string };
  rows: LedgerRow[];
  /** The requests sampled for review (none graded by a reviewer at start). */
  sampledIds: string[];
  /** The workload's experiment (its rows carry arms). */
  experiment: string;
  /** Writes more rows through the store (rollup included), as the gateway's writer would. */
  insert(rows: LedgerRow[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real server whose SQLite ledger holds a known workload (ledgerWorkload, keys renamed to two real virtual keys,
 * three feedback scores) with the dashboard on. `open`: no master key and no keys, so the dashboard is open.
 */
export async function startDashboardGateway({ assetsDir, open = false }: { assetsDir: string; open?: boolean }): Promise<DashboardGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-dashboard-'));
  const ledger = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await ledger.migrate();
  const keyStore = openKeyStore({ dataDir });
  await keyStore.migrate();
  let keyA = { id: 'key_a', plaintext: '' };
  let keyB = { id: 'key_b', plaintext: '' };
  if (!open) {
    const a = await keyStore.create({ name: 'team-a app', team: 'growth', budget: { limitUsd: '0.5', period: 'month', hard: true } });
    const b = await keyStore.create({ name: 'team-b app' });
    keyA = { id: a.key.id, plaintext: a.plaintext };
    keyB = { id: b.key.id, plaintext: b.plaintext };
  }
  const ids: Record<string, string> = { key_a: keyA.id, key_b: keyB.id };
  const rows = ledgerWorkload().map((row) => ({ ...row, keyId: row.keyId === null ? null : ids[row.keyId] }));
  // Three batches: the rollup adds each batch to the hours before it.
  for (let start = 0; start < rows.length; start += 17) await ledger.insert(rows.slice(start, start + 17));
  await ledger.close();
  const feedback = openFeedbackStore({ dataDir });
  for (const [index, score] of [[1, 1], [5, 0], [9, 1]] as const) {
    await feedback.add({ requestId: rows[index].id, requestTs: rows[index].ts, name: 'default', score, comment: null, source: 'user', scoredBy: null, metadata: null });
  }
  const samples = openSampleStore({ dataDir });
  const sampled = [rows[2], rows[3], rows[4]];
  await samples.insert(
    sampled.map((row, index) => ({ requestId: row.id, requestTs: row.ts, route: 'auto', model: row.servedModel, task: null, keyId: row.keyId, requestJson: JSON.stringify([{ role: 'user', content: `question ${index}` }]), answer: `answer ${index}`, createdAt: row.ts, expiresAt: row.ts + 365 * DAY })),
  );
  const experiment = rows.find((row) => row.experiment !== null)!.experiment!;
  const ledgerSql = openLedgerSqlClient({ dataDir });
  const alerts = followRecentAlerts();
  const authenticator = createKeyAuthenticator(keyStore);
  await authenticator.refresh();
  const config = validateConfig(
    {
      ...(open ? {} : { admin: { master_key: DASHBOARD_MASTER_KEY } }),
      budgets: [
        { scope: 'global', limit_usd: 2, period: 'month' },
        { scope: 'key:*', limit_usd: 0.4, period: 'month', hard: false },
        { scope: 'team:growth', limit_usd: 1, period: 'week' },
      ],
      spend_control: { default_key_limits: { rpm: 600 } },
    },
    { env: {} },
  );
  const gateway = createGatewayFromConfig(config, { record: () => {} });
  const reader = createSqliteLedgerReader({ path: join(dataDir, 'ledger.sqlite') });
  const circuits = followCircuitStates();
  const app = createServer({
    gateway,
    logger: pino({ level: 'silent' }),
    keys: { store: keyStore, authenticator, masterKey: config.masterKey },
    dashboard: { reader, keys: keyStore, feedback, budgets: () => config.spendControl.budgets, defaultKeyLimits: () => config.spendControl.defaultKeyLimits, circuits, alerts, ledgerSql, samples, experimentNames: () => [experiment], now: () => DASHBOARD_NOW, assetsDir },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    origin: `http://127.0.0.1:${port}`,
    dataDir,
    keyA,
    keyB,
    rows,
    sampledIds: sampled.map((row) => row.id),
    experiment,
    async insert(more) {
      const store = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
      try {
        await store.insert(more);
      } finally {
        await store.close();
      }
    },
    async close() {
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await gateway.close();
      circuits.close();
      alerts.close();
      await reader.close();
      await ledgerSql.close();
      await samples.close();
      await feedback.close();
      await keyStore.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
