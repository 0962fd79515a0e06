/**
 * One interface for every durable queue Frugal runs work through (background lanes, batch lines, judges):
 * the embedded SQLite queue, pg-boss on PostgreSQL and BullMQ on Redis all implement it and all run
 * `job-queue.case.ts`. Delivery is at least once; a handler that must not act twice uses the job's
 * `idempotencyKey` (for batch lines: batch id + custom_id) against its own store.
 */

export interface EnqueueOptions {
  /**
   * A job with the same key on the same queue is not enqueued twice while the first is waiting, running or
   * completed: `enqueue` returns the existing job's id.
   */
  idempotencyKey?: string;
  /** Not before this time (ms since the epoch): an off-peak window, a deadline's last moment. */
  runAt?: number;
  /** Tries before the job is failed for good (default 3). */
  maxAttempts?: number;
  /**
   * Delete the job once it completed, instead of keeping it for the retention period (its status is then null
   * and its idempotency key free). For per-request jobs nobody looks up afterwards, such as held background replies.
   */
  removeOnComplete?: boolean;
}

export interface QueueJob<T> {
  id: string;
  queue: string;
  data: T;
  /** 1 on the first try. */
  attempt: number;
  idempotencyKey: string | null;
}

export type JobState = 'waiting' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobStatus {
  id: string;
  state: JobState;
  attempts: number;
  /** The last failure's message, when it failed. */
  error: string | null;
}

export interface WorkOptions {
  /** Jobs of this queue run at once on this instance. */
  concurrency: number;
}

/** Stops taking new jobs; resolves when the ones already running have finished (or were handed back). */
export interface QueueWorker {
  stop(): Promise<void>;
}

export interface JobQueue {
  /** The backend's name, for start-up logs: `sqlite`, `pg-boss`, `bullmq`. */
  readonly kind: string;
  enqueue<T>(queue: string, data: T, options?: EnqueueOptions): Promise<string>;
  /**
   * Runs `handler` for each job of `queue`. A handler that throws fails this attempt; the job is tried again
   * until `maxAttempts`. A job whose worker died (kill -9) is handed to another worker after its lease expires.
   */
  work<T>(queue: string, options: WorkOptions, handler: (job: QueueJob<T>) => Promise<void>): Promise<QueueWorker>;
  status(id: string): Promise<JobStatus | null>;
  /** Cancels a job that has not started; a running one finishes. Returns whether it was cancelled. */
  cancel(id: string): Promise<boolean>;
  /** Jobs waiting (not yet running) on `queue`. */
  depth(queue: string): Promise<number>;
  /**
   * Removes `queue` with every job in it. For queues one instance makes for itself (the background lane's held
   * replies): pg-boss keeps a table per queue, so they must not pile up across restarts.
   */
  dropQueue?(queue: string): Promise<void>;
  close(): Promise<void>;
}
