import { AsyncResource } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import type { JobQueue, QueueWorker } from '../queue/job-queue.js';

export interface LaneScheduler {
  /**
   * Runs `work` in the background lane: through the durable queue, not before `runAt`, with at most the lane's
   * concurrency at once on this instance. Rejects with `onMissedDeadline()`'s error when no slot came by
   * `deadlineAt`, and with the signal's reason when the client went away.
   */
  run<T>(options: { runAt: number; deadlineAt: number; signal: AbortSignal; onMissedDeadline: () => Error }, work: () => Promise<T>): Promise<T>;
  /** Background requests waiting on this instance (held for a window or a slot). */
  waiting(): number;
  stop(): Promise<void>;
}

export interface LaneSchedulerOptions {
  queue: JobQueue;
  concurrency: number;
  /** The queue's name; default `lane-background-<random>` (held replies belong to this instance: see below). */
  queueName?: string;
  now?: () => number;
  /** How long after the deadline a request may still be waiting for its turn (jobs start on a poll). */
  graceMs?: number;
}

interface Waiter {
  start: () => Promise<void>;
}

/**
 * Background lane scheduling for requests whose reply is held open: each one is a job (with `runAt` for an
 * off-peak window) in a queue this instance alone works, so the lane's concurrency is the queue's, and a job is
 * only ever started where its caller is waiting. (A held reply dies with its process, so there is nothing for
 * another instance to resume; batch lines, whose data is in the job, use shared queues.)
 *
 * @example
 * const scheduler = createLaneScheduler({ queue, concurrency: 8 });
 * const answer = await scheduler.run({ runAt, deadlineAt, signal, onMissedDeadline }, () => callModel(context, model));
 */
export function createLaneScheduler(options: LaneSchedulerOptions): LaneScheduler {
  // Date.now looked up per call, not captured: a test that replaces Date moves this clock too.
  const now = options.now ?? (() => Date.now());
  const queueName = options.queueName ?? `lane-background-${randomBytes(6).toString('hex')}`;
  const graceMs = options.graceMs ?? 1_000;
  const waiters = new Map<string, Waiter>();
  let worker: Promise<QueueWorker> | undefined;

  const startWorker = () =>
    (worker ??= options.queue.work<{ waiter: string }>(queueName, { concurrency: options.concurrency }, async (job) => {
      // Gone: timed out or the client left (its job was cancelled, or the cancel lost the race to this claim).
      await waiters.get(job.data.waiter)?.start();
    }));

  return {
    async run({ runAt, deadlineAt, signal, onMissedDeadline }, work) {
      signal.throwIfAborted();
      // The queue's worker loop starts the work, in its own async context: bound here, the work runs in its
      // caller's (a tracer's current request span, so its upstream attempt is not filed under another request).
      const inCallersContext = AsyncResource.bind(work);
      await startWorker();
      const id = randomUUID();
      let settle!: { resolve: (value: unknown) => void; reject: (error: unknown) => void };
      const outcome = new Promise((resolve, reject) => (settle = { resolve, reject }));
      let jobId: string | undefined;
      let started = false;
      const giveUp = (error: unknown) => {
        if (started || !waiters.delete(id)) return;
        if (jobId) void options.queue.cancel(jobId).catch(() => {});
        settle.reject(error);
      };
      const timer = setTimeout(() => giveUp(onMissedDeadline()), Math.max(0, Math.max(deadlineAt, runAt) + graceMs - now()));
      const onAbort = () => giveUp(signal.reason ?? new Error('aborted'));
      const stopWatching = watchAbort(signal, onAbort);
      waiters.set(id, {
        start: async () => {
          if (!waiters.delete(id)) return;
          started = true;
          clearTimeout(timer);
          stopWatching();
          // The job (and its concurrency slot) lasts as long as the work.
          try {
            settle.resolve(await inCallersContext());
          } catch (error) {
            settle.reject(error);
          }
        },
      });
      try {
        jobId = await options.queue.enqueue(queueName, { waiter: id }, { runAt, maxAttempts: 1, removeOnComplete: true });
      } catch (error) {
        giveUp(error);
      }
      try {
        return (await outcome) as Awaited<ReturnType<typeof work>>;
      } finally {
        clearTimeout(timer);
        stopWatching();
      }
    },
    waiting: () => waiters.size,
    async stop() {
      if (!worker) return;
      await (await worker).stop();
      // This instance's lane queue ends with it (pg-boss keeps a table per queue).
      await options.queue.dropQueue?.(queueName).catch(() => {});
    },
  };
}

/**
 * One 'abort' listener per signal, however many waiters share it: callers without a client (a batch line, a
 * library call) all share one never-aborted signal, and thousands of listeners on it would trip Node's leak warning.
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let set = watchers.get(signal);
  if (!set) {
    const callbacks = new Set<() => void>();
    set = callbacks;
    watchers.set(signal, callbacks);
    signal.addEventListener('abort', () => {
      for (const callback of [...callbacks]) callback();
    }, { once: true });
  }
  set.add(onAbort);
  return () => set.delete(onAbort);
}
