import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue, QueueJob, QueueWorker } from './job-queue.js';

export interface JobQueueHarness {
  /** A queue instance on the harness's store; every call gives another instance on the same store. */
  open(): Promise<JobQueue>;
  /** Ends `queue` as kill -9 would: no acks, no lease renewals, running jobs left to their leases. */
  crash(queue: JobQueue): Promise<void>;
  /** The lease the harness configured (short, so a crashed worker's job comes back within a test). */
  leaseMs: number;
  cleanUp?(): Promise<void>;
}

let queues = 0;
/** A queue name no other test uses, so tests sharing a store stay independent. */
const freshQueue = (label: string) => `${label}-${process.pid}-${++queues}`;

/** Resolves when `count` calls have happened. */
function countdown(count: number) {
  let left = count;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    done,
    tick() {
      left -= 1;
      if (left === 0) resolve();
    },
  };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The behaviour every JobQueue must have. A backend's test file builds a harness and calls this.
 * (Named `.case.ts` so vitest does not run it on its own.)
 */
export function describeJobQueueConformance(name: string, createHarness: () => Promise<JobQueueHarness>) {
  describe(`${name}: JobQueue conformance`, () => {
    let harness: JobQueueHarness;
    let queue: JobQueue;
    const workers: QueueWorker[] = [];
    const work = async <T>(name: string, concurrency: number, handler: (job: QueueJob<T>) => Promise<void>, on = queue) => {
      const worker = await on.work<T>(name, { concurrency }, handler);
      workers.push(worker);
      return worker;
    };
    beforeAll(async () => {
      harness = await createHarness();
      queue = await harness.open();
    });
    afterAll(async () => {
      for (const worker of workers) await worker.stop().catch(() => {});
      await queue?.close();
      await harness?.cleanUp?.();
    });

    it('runs an enqueued job once with its data and marks it completed', async () => {
      const name = freshQueue('ack');
      const seen: Array<QueueJob<{ n: number }>> = [];
      const finished = countdown(1);
      await work<{ n: number }>(name, 1, async (job) => {
        seen.push(job);
        finished.tick();
      });
      const id = await queue.enqueue(name, { n: 42 });
      await finished.done;
      await until(async () => (await queue.status(id))?.state === 'completed', 'completion');
      expect(seen).toEqual([{ id, queue: name, data: { n: 42 }, attempt: 1, idempotencyKey: null }]);
      expect(await queue.status(id)).toEqual({ id, state: 'completed', attempts: 1, error: null });
      expect(await queue.depth(name)).toBe(0);
    });

    it('tries a failing job again until it succeeds, and fails it for good after maxAttempts', async () => {
      const name = freshQueue('retry');
      const attempts: Record<string, number[]> = { flaky: [], broken: [] };
      await work<{ kind: 'flaky' | 'broken' }>(name, 2, async (job) => {
        attempts[job.data.kind].push(job.attempt);
        if (job.data.kind === 'broken' || job.attempt < 3) throw new Error(`${job.data.kind} attempt ${job.attempt}`);
      });
      const flaky = await queue.enqueue(name, { kind: 'flaky' }, { maxAttempts: 3 });
      const broken = await queue.enqueue(name, { kind: 'broken' }, { maxAttempts: 2 });
      await until(async () => (await queue.status(flaky))?.state === 'completed' && (await queue.status(broken))?.state === 'failed', 'both jobs to settle');
      expect(attempts).toEqual({ flaky: [1, 2, 3], broken: [1, 2] });
      expect(await queue.status(flaky)).toMatchObject({ state: 'completed', attempts: 3 });
      expect(await queue.status(broken)).toEqual({ id: broken, state: 'failed', attempts: 2, error: 'broken attempt 2' });
    });

    it('enqueues a job once per idempotency key and queue, even after it completed', async () => {
      const name = freshQueue('idem');
      const other = freshQueue('idem-other');
      const first = await queue.enqueue(name, { n: 1 }, { idempotencyKey: 'batch_1:line-7', runAt: Date.now() + 60_000 });
      expect(await queue.enqueue(name, { n: 2 }, { idempotencyKey: 'batch_1:line-7' })).toBe(first);
      expect(await queue.depth(name)).toBe(1);
      expect(await queue.enqueue(other, { n: 3 }, { idempotencyKey: 'batch_1:line-7' })).not.toBe(first);
      expect(await queue.cancel(first)).toBe(true);

      const runs: unknown[] = [];
      const finished = countdown(1);
      await work(name, 1, async (job) => {
        runs.push(job.data);
        finished.tick();
      });
      const second = await queue.enqueue(name, { n: 4 }, { idempotencyKey: 'batch_1:line-7' });
      await finished.done;
      await until(async () => (await queue.status(second))?.state === 'completed', 'completion');
      expect(await queue.enqueue(name, { n: 5 }, { idempotencyKey: 'batch_1:line-7' })).toBe(second);
      expect(runs).toEqual([{ n: 4 }]);
      expect(await queue.depth(name)).toBe(0);
    });

    it('holds a job with runAt until its time, while later jobs without one run first', async () => {
      const name = freshQueue('delay');
      const order: string[] = [];
      const finished = countdown(2);
      await work<{ label: string }>(name, 1, async (job) => {
        order.push(job.data.label);
        finished.tick();
      });
      const late = await queue.enqueue(name, { label: 'late' }, { runAt: Date.now() + 1_500 });
      await queue.enqueue(name, { label: 'now' });
      await until(async () => order.length === 1, 'the undelayed job');
      expect(await queue.status(late)).toMatchObject({ state: 'waiting', attempts: 0 });
      await finished.done;
      expect(order).toEqual(['now', 'late']);
    });

    it('cancels a waiting job, and refuses to cancel one that finished or does not exist', async () => {
      const name = freshQueue('cancel');
      const held = await queue.enqueue(name, { n: 1 }, { runAt: Date.now() + 60_000 });
      expect(await queue.depth(name)).toBe(1);
      expect(await queue.cancel(held)).toBe(true);
      expect(await queue.status(held)).toMatchObject({ id: held, state: 'cancelled' });
      expect(await queue.depth(name)).toBe(0);
      expect(await queue.cancel(held)).toBe(false);

      const finished = countdown(1);
      await work(name, 1, async () => finished.tick());
      const done = await queue.enqueue(name, { n: 2 });
      await finished.done;
      await until(async () => (await queue.status(done))?.state === 'completed', 'completion');
      expect(await queue.cancel(done)).toBe(false);
      expect(await queue.status(done)).toMatchObject({ state: 'completed' });
      expect(await queue.status(`${name}/00000000-0000-4000-8000-000000000000`)).toBeNull();
      expect(await queue.status('not a job id')).toBeNull();
    });

    it('counts waiting jobs per queue, delayed ones included and running ones not', async () => {
      const name = freshQueue('depth');
      await queue.enqueue(name, { n: 1 });
      await queue.enqueue(name, { n: 2 });
      await queue.enqueue(name, { n: 3 }, { runAt: Date.now() + 60_000 });
      expect(await queue.depth(name)).toBe(3);
      expect(await queue.depth(freshQueue('depth-empty'))).toBe(0);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started = countdown(2);
      const worker = await work(name, 2, async () => {
        started.tick();
        await gate;
      });
      await started.done;
      expect(await queue.depth(name)).toBe(1);
      release();
      await worker.stop();
    });

    it('never runs more jobs of a queue at once than its concurrency', async () => {
      const name = freshQueue('concurrency');
      let inFlight = 0;
      let most = 0;
      const finished = countdown(8);
      await work(name, 3, async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 40));
        inFlight -= 1;
        finished.tick();
      });
      for (let n = 0; n < 8; n += 1) await queue.enqueue(name, { n });
      await finished.done;
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThan(1);
    });

    it('hands a crashed worker’s job to another instance after its lease, as its next attempt', async () => {
      const name = freshQueue('crash');
      const doomed = await harness.open();
      const started = countdown(1);
      await doomed.work(name, { concurrency: 1 }, async () => {
        started.tick();
        await new Promise(() => {}); // the process is "killed" mid-job
      });
      const id = await queue.enqueue(name, { n: 1 });
      await started.done;
      expect(await queue.status(id)).toMatchObject({ state: 'running', attempts: 1 });
      await harness.crash(doomed);

      const survivor = await harness.open();
      const rerun: number[] = [];
      const finished = countdown(1);
      const worker = await survivor.work(name, { concurrency: 1 }, async (job) => {
        rerun.push(job.attempt);
        finished.tick();
      });
      await finished.done;
      await until(async () => (await queue.status(id))?.state === 'completed', 'the re-run to complete');
      expect(rerun).toEqual([2]);
      expect(await queue.status(id)).toMatchObject({ state: 'completed', attempts: 2 });
      await worker.stop();
      await survivor.close();
    });

    it('deletes a job marked removeOnComplete once it completed, and keeps the others', async () => {
      const name = freshQueue('remove');
      const finished = countdown(2);
      await work(name, 1, async () => finished.tick());
      const removed = await queue.enqueue(name, { n: 1 }, { removeOnComplete: true });
      const kept = await queue.enqueue(name, { n: 2 });
      await finished.done;
      await until(async () => (await queue.status(kept))?.state === 'completed' && (await queue.status(removed)) === null, 'completion and removal');
    });

    it('drops a queue with its jobs, leaving other queues alone', async () => {
      const name = freshQueue('drop');
      const other = freshQueue('drop-other');
      await queue.enqueue(name, { n: 1 }, { runAt: Date.now() + 60_000 });
      const kept = await queue.enqueue(other, { n: 2 }, { runAt: Date.now() + 60_000 });
      await queue.dropQueue?.(name);
      expect(await queue.depth(name)).toBe(0);
      expect(await queue.depth(other)).toBe(1);
      expect(await queue.status(kept)).toMatchObject({ state: 'waiting' });
    });

    it('stops a worker only after its running job finished', async () => {
      const name = freshQueue('stop');
      const started = countdown(1);
      let finished = false;
      const worker = await queue.work(name, { concurrency: 1 }, async () => {
        started.tick();
        await new Promise((resolve) => setTimeout(resolve, 100));
        finished = true;
      });
      const id = await queue.enqueue(name, { n: 1 });
      await started.done;
      await worker.stop();
      expect(finished).toBe(true);
      await until(async () => (await queue.status(id))?.state === 'completed', 'completion');
      await queue.enqueue(name, { n: 2 });
      expect(await queue.depth(name)).toBe(1);
    });
  });
}
