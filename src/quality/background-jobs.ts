/** A unit of background work; its signal is aborted when the pool closes. */
export type BackgroundJob = (signal: AbortSignal) => Promise<void>;

export interface BackgroundJobs {
  /** Queues a job; false (and nothing queued) when `limit` jobs are already waiting. Never blocks, never throws. */
  submit(job: BackgroundJob): boolean;
  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void>;
  /** Waiting + running. */
  size(): number;
  /** Drops what waits, aborts what runs, and resolves when the running jobs have ended. */
  close(): Promise<void>;
}

/**
 * In-process bounded background work for judges, reference answers and shadow calls: at most `concurrency` at
 * once, at most `limit` waiting (beyond it new jobs are refused, so a slow judge cannot grow memory), each with a
 * timeout. In process on purpose: the job holds the unredacted request, which must never be written to a queue's
 * database; a restart loses what was waiting (samples are written first, so nothing but the grade is lost).
 *
 * @example
 * const jobs = createBackgroundJobs({ concurrency: 2, limit: 1_000, timeoutMs: 60_000 });
 * jobs.submit(async (signal) => judge(sample, signal));
 */
export function createBackgroundJobs({ concurrency, limit, timeoutMs, onError }: { concurrency: number; limit: number; timeoutMs: number; onError?: (error: unknown) => void }): BackgroundJobs {
  const waiting: BackgroundJob[] = [];
  let running = 0;
  let idleWaiters: Array<() => void> = [];
  const closing = new AbortController();

  function settle() {
    if (running === 0 && waiting.length === 0) for (const wake of idleWaiters.splice(0)) wake();
  }

  function pump() {
    while (running < concurrency && waiting.length > 0 && !closing.signal.aborted) {
      const job = waiting.shift()!;
      running += 1;
      const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]);
      void job(signal)
        .catch((error: unknown) => onError?.(error))
        .finally(() => {
          running -= 1;
          pump();
          settle();
        });
    }
    settle();
  }

  return {
    submit(job) {
      if (closing.signal.aborted || waiting.length >= limit) return false;
      waiting.push(job);
      // Called from the sample writer's flush (a timer), never from a reply: starting a job here is fine.
      pump();
      return true;
    },
    idle() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    size: () => waiting.length + running,
    async close() {
      waiting.length = 0;
      closing.abort();
      if (running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      idleWaiters = [];
    },
  };
}
