import type { QueueSettings } from '../config/lanes-settings.js';
import type { QueueTiming } from './queue-timing.js';
import { createSqliteJobQueue, type AbandonableJobQueue } from './sqlite-job-queue.js';

/**
 * The configured queue engine: pg-boss in the ledger's PostgreSQL, BullMQ on Redis, or the embedded SQLite file
 * in the data dir (config/lanes-settings.ts says which and why; the caller logs it at start-up).
 *
 * @example
 * const queue = await openJobQueue(config.queue, { onError: (error) => log.warn({ err: error }, 'queue') });
 * log.info(`queue: ${queue.kind} (${config.queue.reason})`);
 */
export async function openJobQueue(settings: QueueSettings, timing: QueueTiming = {}): Promise<AbandonableJobQueue> {
  const leaseMs = timing.leaseMs ?? settings.leaseMs;
  // The engines are loaded when chosen: BullMQ alone is ~12 MB of every process's memory, pg-boss a few more.
  if (settings.backend === 'postgres') {
    const { createPgBossJobQueue } = await import('./pg-boss-job-queue.js');
    return createPgBossJobQueue({ ...timing, leaseMs, connectionString: settings.databaseUrl!, schema: settings.keyPrefix });
  }
  if (settings.backend === 'redis') {
    const { createBullMqJobQueue } = await import('./bullmq-job-queue.js');
    return createBullMqJobQueue({ ...timing, leaseMs, url: settings.redisUrl, keyPrefix: settings.keyPrefix });
  }
  return createSqliteJobQueue({ ...timing, leaseMs, path: settings.sqlitePath });
}

/** The start-up line: which engine and why. */
export function describeJobQueue(settings: QueueSettings): string {
  const where = settings.backend === 'sqlite' ? settings.sqlitePath : settings.backend === 'postgres' ? `PostgreSQL schema ${settings.keyPrefix}` : `Redis, key prefix ${settings.keyPrefix}`;
  const engine = settings.backend === 'sqlite' ? 'SQLite' : settings.backend === 'postgres' ? 'pg-boss' : 'BullMQ';
  return `${engine} in ${where} (${settings.reason})`;
}
