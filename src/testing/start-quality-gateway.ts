import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateConfig } from '../config/load-config.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createLedgerWriter, type LedgerWriter } from '../ledger/ledger-writer.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig, type Gateway } from '../pipeline/create-gateway.js';
import { openSampleStore } from '../quality/open-sample-store.js';
import type { SampleStore } from '../quality/sample-store.js';
import { createServer } from '../server/create-server.js';

export interface QualityGateway {
  baseUrl: string;
  gateway: Gateway;
  ledger: LedgerStore;
  writer: LedgerWriter;
  feedback: FeedbackStore;
  samples: SampleStore;
  /** Every row the gateway recorded, in order (also written to the SQLite ledger). */
  rows: LedgerRow[];
  dataDir: string;
  /** Polls `probe` until it returns a value that is not undefined (background work has no completion signal). */
  eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * A real server wired as `frugal serve` wires quality: a SQLite ledger in a temp dir behind the batching writer,
 * the feedback and sample stores beside it, handed to the gateway for samples and judges.
 */
export async function startQualityGateway(rawConfig: Record<string, unknown>): Promise<QualityGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-quality-gw-'));
  const ledger = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await ledger.migrate();
  const writer = createLedgerWriter(ledger, { flushIntervalMs: 20, onError: () => {} });
  const feedback = openFeedbackStore({ dataDir });
  const samples = openSampleStore({ dataDir });
  const rows: LedgerRow[] = [];
  const config = validateConfig(rawConfig, { env: {} });
  const gateway = createGatewayFromConfig(config, { record: (row) => (rows.push(row), writer.record(row)) }, undefined, undefined, { samples, feedback });
  const app = createServer({ gateway, logger: pino({ level: 'silent' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    gateway,
    ledger,
    writer,
    feedback,
    samples,
    rows,
    dataDir,
    async eventually(probe, what, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await gateway.close();
      await writer.close().catch(() => undefined);
      await samples.close();
      await feedback.close();
      await ledger.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
