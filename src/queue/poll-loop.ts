import type { QueueJob, QueueWorker } from './job-queue.js';
import { failureMessage } from './job-ids.js';

/** What a backend without its own worker (SQLite, pg-boss) gives the shared loop. */
export interface PollSource<T> {
  /** Takes up to `limit` ready jobs, each leased to this worker. */
  claim(limit: number): Promise<Array<QueueJob<T> & { lease: string }>>;
  complete(job: QueueJob<T> & { lease: string }): Promise<void>;
  fail(job: QueueJob<T> & { lease: string }, message: string): Promise<void>;
  /** Extends the leases of running jobs, so a long job is not handed to another worker while this one lives. */
  renew(jobs: Array<QueueJob<T> & { lease: string }>): Promise<void>;
}

export interface PollLoopOptions {
  concurrency: number;
  /** How often an idle worker looks for jobs another instance enqueued (this instance's enqueues wake it at once). */
  pollMs: number;
  /** How often running jobs' leases are renewed (a fraction of the lease). */
  renewMs: number;
  onError: (error: unknown) => void;
}

export interface PollLoop extends QueueWorker {
  /** Looks for jobs now (after an enqueue on this instance). */
  wake(): void;
  /** Stops at once as a killed process would: no renewals, no acks; running jobs are left to their leases. */
  abandon(): void;
}

/**
 * The worker loop shared by the SQLite and pg-boss queues: at most `concurrency` jobs at once, a claim only
 * for free slots, a finished job freeing its slot and looking again at once.
 */
export function startPollLoop<T>(source: PollSource<T>, options: PollLoopOptions, handler: (job: QueueJob<T>) => Promise<void>): PollLoop {
  if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}.`);
  const running = new Map<string, { job: QueueJob<T> & { lease: string }; done: Promise<void> }>();
  let stopping = false;
  let abandoned = false;
  let wakeUp: (() => void) | undefined;
  let pending = false;

  const wake = () => {
    pending = true;
    wakeUp?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const runOne = (job: QueueJob<T> & { lease: string }) => {
    const done = (async () => {
      let failure: string | undefined;
      try {
        // The handler sees the job, not the backend's lease bookkeeping.
        await handler({ id: job.id, queue: job.queue, data: job.data, attempt: job.attempt, idempotencyKey: job.idempotencyKey });
      } catch (error) {
        failure = failureMessage(error);
      }
      if (abandoned) return;
      try {
        if (failure === undefined) await source.complete(job);
        else await source.fail(job, failure);
      } catch (error) {
        // The job stays leased and is retried after its lease: at least once, never lost.
        options.onError(error);
      }
    })().finally(() => {
      running.delete(job.lease);
      wake();
    });
    running.set(job.lease, { job, done });
  };

  const loop = (async () => {
    while (!stopping) {
      pending = false;
      const free = options.concurrency - running.size;
      if (free > 0) {
        try {
          const jobs = await source.claim(free);
          if (abandoned) return;
          for (const job of jobs) runOne(job);
          // A full claim may have left more behind: look again as soon as a slot frees (or now, if one is free).
          if (jobs.length === free && !stopping) continue;
        } catch (error) {
          options.onError(error);
        }
      }
      if (!pending && !stopping) await sleep(options.pollMs);
    }
  })();

  const renewTimer = setInterval(() => {
    if (running.size === 0) return;
    source.renew([...running.values()].map((entry) => entry.job)).catch(options.onError);
  }, options.renewMs);
  renewTimer.unref();

  return {
    wake,
    abandon() {
      abandoned = true;
      stopping = true;
      clearInterval(renewTimer);
      wakeUp?.();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      await Promise.all([...running.values()].map((entry) => entry.done));
      clearInterval(renewTimer);
    },
  };
}
