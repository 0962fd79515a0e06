import type { Gateway } from '../pipeline/create-gateway.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { RowReconciler } from './batch-ledger-rows.js';
import type { BatchStore } from './batch-store.js';
import type { LineLane } from './batch-types.js';
import type { NativeBatchClient } from './native-batch-client.js';
import type { BatchKeys } from './batch-key.js';

export interface BatchSettings {
  /** Own-lane jobs run at once on this instance. */
  concurrency: number;
  /** Lines of one job run at once. */
  lineConcurrency: number;
  /** Lines per own-lane job. */
  chunkLines: number;
  /** How long a running line is its worker's before another may take it over (longer than any one call). */
  leaseMs: number;
  /** How often upstream batches, expiries and cancellations are looked at. */
  pollIntervalMs: number;
  maxFileBytes: number;
  maxLines: number;
  /** The completion window (`24h`), ms. */
  windowMs: number;
  /** Own-lane lines run in the background lane (cheapest tier within the window, yielding to real time). */
  backgroundLane: boolean;
}

export const DEFAULT_BATCH_SETTINGS: BatchSettings = {
  concurrency: 2,
  lineConcurrency: 8,
  chunkLines: 100,
  leaseMs: 10 * 60_000,
  pollIntervalMs: 30_000,
  maxFileBytes: 200 * 1024 * 1024,
  maxLines: 50_000,
  windowMs: 24 * 3_600_000,
  backgroundLane: true,
};

export interface BatchLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What the lanes, the poller and the finaliser share. */
export interface BatchRuntime {
  store: BatchStore;
  /** The live gateway: each line reads the config in force when it runs. */
  gateway: Gateway;
  /** Rows of lines run by native batch APIs (own-lane lines are recorded by the pipeline). */
  ledger: LedgerSink | undefined;
  /** Finishes the recording of rows a dead process kept with its lines; none without a ledger store to ask. */
  rows: RowReconciler | undefined;
  nativeClient(lane: Exclude<LineLane, 'own' | 'none'>, provider: string): NativeBatchClient;
  settings: BatchSettings;
  log: BatchLogger;
  now(): number;
  /** A batch's key as it stands now (batch-key.ts); undefined: keys are not checked (no key store). */
  keys?: BatchKeys;
  /** Set when the instance stops: jobs take no new lines and hand the rest back to the queue. */
  stopping: boolean;
}

/** Runs `work` over `items`, at most `limit` at once. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  });
  await Promise.all(runners);
}
