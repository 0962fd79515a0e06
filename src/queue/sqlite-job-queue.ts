import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteFile } from '../ledger/open-sqlite-file.js';
import type { EnqueueOptions, JobQueue, JobState, JobStatus, QueueJob, QueueWorker, WorkOptions } from './job-queue.js';
import { checkMaxAttempts, checkQueueName, jobId, parseJobId } from './job-ids.js';
import { startPollLoop, type PollLoop } from './poll-loop.js';
import { resolveTiming, type QueueTiming } from './queue-timing.js';

export interface SqliteJobQueueOptions extends QueueTiming {
  /** The database file (the embedded default: `<data dir>/queue.sqlite`); missing directories are created. */
  path: string;
  busyTimeoutMs?: number;
  now?: () => number;
}

/** A JobQueue whose abrupt end can be simulated (tests of kill -9). */
export interface AbandonableJobQueue extends JobQueue {
  /** Ends as a killed process would: no more claims, renewals or acks; running jobs wait for their leases. */
  abandon(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS frugal_jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  queue TEXT NOT NULL,
  data TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  lease_until INTEGER,
  lease TEXT,
  idempotency_key TEXT,
  remove_on_complete INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS frugal_jobs_idempotency ON frugal_jobs (queue, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND state IN ('waiting', 'running', 'completed');
CREATE INDEX IF NOT EXISTS frugal_jobs_ready ON frugal_jobs (queue, state, run_at, seq);
CREATE INDEX IF NOT EXISTS frugal_jobs_leases ON frugal_jobs (queue, state, lease_until);
CREATE INDEX IF NOT EXISTS frugal_jobs_finished ON frugal_jobs (finished_at) WHERE finished_at IS NOT NULL;
`;

interface JobRow {
  id: string;
  queue: string;
  data: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  idempotency_key: string | null;
  error: string | null;
}

/**
 * The embedded queue: one SQLite file in WAL mode, each claim an IMMEDIATE transaction (so several processes
 * on one file never take the same job), each claimed job leased to its worker until `lease_until`. A worker that
 * dies leaves its lease to expire; the next claim takes the job again (or fails it once its attempts are spent).
 *
 * @example
 * const queue = createSqliteJobQueue({ path: '.frugal/queue.sqlite' });
 * await queue.enqueue('background', { requestId: 'r1' }, { idempotencyKey: 'r1' });
 * await queue.work('background', { concurrency: 4 }, async (job) => run(job.data));
 */
export function createSqliteJobQueue(options: SqliteJobQueueOptions): AbandonableJobQueue {
  const timing = resolveTiming(options);
  // Date.now looked up per call, not captured: a test that replaces Date moves this clock too.
  const now = options.now ?? (() => Date.now());
  mkdirSync(dirname(options.path), { recursive: true });
  const db = openSqliteFile(options.path, options.busyTimeoutMs ?? 5_000);
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  // Files made before remove_on_complete existed get the column (CREATE TABLE IF NOT EXISTS keeps an old table as it is).
  const columns = new Set((db.prepare('PRAGMA table_info(frugal_jobs)').all() as Array<{ name: string }>).map((column) => column.name));
  if (!columns.has('remove_on_complete')) db.exec('ALTER TABLE frugal_jobs ADD COLUMN remove_on_complete INTEGER NOT NULL DEFAULT 0');
  db.prepare('DELETE FROM frugal_jobs WHERE finished_at IS NOT NULL AND finished_at < ?').run(now() - timing.retentionMs);

  const findKeyed = db.prepare<[string, string], { id: string }>(
    "SELECT id FROM frugal_jobs WHERE queue = ? AND idempotency_key = ? AND state IN ('waiting', 'running', 'completed')",
  );
  const insert = db.prepare(
    `INSERT INTO frugal_jobs (id, queue, data, state, max_attempts, run_at, idempotency_key, remove_on_complete, created_at) VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?, ?)`,
  );
  const failSpent = db.prepare(
    `UPDATE frugal_jobs SET state = 'failed', error = 'the worker stopped before finishing (lease expired) on the last attempt', finished_at = ?, lease = NULL
     WHERE queue = ? AND state = 'running' AND lease_until <= ? AND attempts >= max_attempts`,
  );
  // Two index walks, never a sort of the whole queue: a claim stays O(limit) however many jobs wait.
  const expired = db.prepare<[string, number, number], JobRow & { remove_on_complete: number }>(
    `SELECT id, queue, data, state, attempts, max_attempts, idempotency_key, remove_on_complete, error FROM frugal_jobs WHERE queue = ? AND state = 'running' AND lease_until <= ? ORDER BY lease_until LIMIT ?`,
  );
  const ready = db.prepare<[string, number, number], JobRow & { remove_on_complete: number }>(
    `SELECT id, queue, data, state, attempts, max_attempts, idempotency_key, remove_on_complete, error FROM frugal_jobs WHERE queue = ? AND state = 'waiting' AND run_at <= ? ORDER BY run_at, seq LIMIT ?`,
  );
  const take = db.prepare(`UPDATE frugal_jobs SET state = 'running', attempts = attempts + 1, lease = ?, lease_until = ? WHERE id = ?`);
  const complete = db.prepare(`UPDATE frugal_jobs SET state = 'completed', finished_at = ?, lease = NULL, lease_until = NULL WHERE id = ? AND lease = ? AND state = 'running'`);
  const completeAndRemove = db.prepare(`DELETE FROM frugal_jobs WHERE id = ? AND lease = ? AND state = 'running'`);
  const retry = db.prepare(`UPDATE frugal_jobs SET state = 'waiting', run_at = ?, error = ?, lease = NULL, lease_until = NULL WHERE id = ? AND lease = ? AND state = 'running'`);
  const failForGood = db.prepare(`UPDATE frugal_jobs SET state = 'failed', error = ?, finished_at = ?, lease = NULL, lease_until = NULL WHERE id = ? AND lease = ? AND state = 'running'`);
  const renew = db.prepare(`UPDATE frugal_jobs SET lease_until = ? WHERE id = ? AND lease = ? AND state = 'running'`);
  const cancel = db.prepare(`UPDATE frugal_jobs SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'waiting'`);
  const depth = db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM frugal_jobs WHERE queue = ? AND state = 'waiting'`);
  const status = db.prepare<[string], JobRow>(`SELECT id, queue, data, state, attempts, max_attempts, idempotency_key, error FROM frugal_jobs WHERE id = ?`);

  const enqueueTx = db.transaction((queue: string, data: string, key: string | null, maxAttempts: number, runAt: number, removeOnComplete: boolean) => {
    if (key !== null) {
      const existing = findKeyed.get(queue, key);
      if (existing) return existing.id;
    }
    const id = jobId(queue, randomUUID());
    insert.run(id, queue, data, maxAttempts, runAt, key, removeOnComplete ? 1 : 0, now());
    return id;
  });

  const claimTx = db.transaction((queue: string, limit: number) => {
    const at = now();
    failSpent.run(at, queue, at);
    const rows = expired.all(queue, at, limit);
    if (rows.length < limit) rows.push(...ready.all(queue, at, limit - rows.length));
    return rows.map((row) => {
      const lease = randomUUID();
      take.run(lease, at + timing.leaseMs, row.id);
      return { id: row.id, queue, data: JSON.parse(row.data) as unknown, attempt: row.attempts + 1, idempotencyKey: row.idempotency_key, lease, maxAttempts: row.max_attempts, remove: row.remove_on_complete === 1 };
    });
  });

  const loops = new Map<string, Set<PollLoop>>();
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new Error('The queue is closed.');
  };

  return {
    kind: 'sqlite',
    async enqueue<T>(queue: string, data: T, enqueueOptions: EnqueueOptions = {}) {
      ensureOpen();
      checkQueueName(queue);
      const id = enqueueTx.immediate(queue, JSON.stringify(data), enqueueOptions.idempotencyKey ?? null, checkMaxAttempts(enqueueOptions.maxAttempts), enqueueOptions.runAt ?? now(), enqueueOptions.removeOnComplete === true);
      for (const loop of loops.get(queue) ?? []) loop.wake();
      return id;
    },

    async work<T>(queue: string, workOptions: WorkOptions, handler: (job: QueueJob<T>) => Promise<void>): Promise<QueueWorker> {
      ensureOpen();
      checkQueueName(queue);
      type Claimed = QueueJob<T> & { lease: string; maxAttempts: number; remove: boolean };
      const loop = startPollLoop<T>(
        {
          claim: async (limit) => (closed ? [] : (claimTx.immediate(queue, limit) as Claimed[])),
          complete: async (job) => {
            if (closed) return;
            if ((job as Claimed).remove) completeAndRemove.run(job.id, job.lease);
            else complete.run(now(), job.id, job.lease);
          },
          fail: async (job, message) => {
            if (closed) return;
            const claimed = job as Claimed;
            if (claimed.attempt < claimed.maxAttempts) retry.run(now() + timing.retryDelayMs, message, job.id, job.lease);
            else failForGood.run(message, now(), job.id, job.lease);
          },
          renew: async (jobs) => {
            if (closed) return;
            const until = now() + timing.leaseMs;
            db.transaction(() => {
              for (const job of jobs) renew.run(until, job.id, job.lease);
            })();
          },
        },
        { concurrency: workOptions.concurrency, pollMs: timing.pollMs, renewMs: Math.max(10, Math.floor(timing.leaseMs / 3)), onError: timing.onError },
        handler,
      );
      let set = loops.get(queue);
      if (!set) loops.set(queue, (set = new Set()));
      set.add(loop);
      return {
        stop: async () => {
          await loop.stop();
          set.delete(loop);
        },
      };
    },

    async status(id: string): Promise<JobStatus | null> {
      ensureOpen();
      if (!parseJobId(id)) return null;
      const row = status.get(id);
      return row ? { id: row.id, state: row.state, attempts: row.attempts, error: row.error } : null;
    },

    async cancel(id: string) {
      ensureOpen();
      return cancel.run(now(), id).changes > 0;
    },

    async depth(queue: string) {
      ensureOpen();
      return depth.get(checkQueueName(queue))?.n ?? 0;
    },

    async dropQueue(queue: string) {
      ensureOpen();
      db.prepare('DELETE FROM frugal_jobs WHERE queue = ?').run(checkQueueName(queue));
    },

    async close() {
      if (closed) return;
      await Promise.all([...loops.values()].flatMap((set) => [...set].map((loop) => loop.stop())));
      closed = true;
      db.close();
    },

    async abandon() {
      if (closed) return;
      for (const set of loops.values()) for (const loop of set) loop.abandon();
      closed = true;
      db.close();
    },
  };
}
