import { createHash, randomUUID } from 'node:crypto';
import { Job, Queue, Worker, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { EnqueueOptions, JobState, JobStatus, QueueJob, QueueWorker, WorkOptions } from './job-queue.js';
import { checkMaxAttempts, checkQueueName, jobId, parseJobId } from './job-ids.js';
import { resolveTiming, type QueueTiming } from './queue-timing.js';
import type { AbandonableJobQueue } from './sqlite-job-queue.js';

export interface BullMqJobQueueOptions extends QueueTiming {
  url: string;
  /** BullMQ's key prefix (every key starts `<prefix>:<queue>:`), so several gateways can share one Redis. */
  keyPrefix?: string;
  /** Times a job may lose its worker (lease expired) before BullMQ fails it. */
  maxStalledCount?: number;
}

const WAITING_TYPES = ['wait', 'delayed', 'prioritized', 'waiting-children'] as const;

function stateOf(state: string): JobState {
  if (state === 'active') return 'running';
  if (state === 'completed' || state === 'failed') return state;
  return 'waiting';
}

/**
 * The queue for Redis-only deployments: BullMQ. Idempotency is BullMQ's own: a keyed job's id is derived from
 * its key, and adding a job whose id exists returns the existing one. The lease is BullMQ's lock
 * (`lockDuration`, renewed by a live worker); another worker's stalled-job check hands an expired one back.
 * BullMQ has no "cancelled" state: a cancelled job is removed and a marker key remembers it for `status`.
 *
 * @example
 * const queue = createBullMqJobQueue({ url: 'redis://127.0.0.1:6379', keyPrefix: 'frugal' });
 */
export function createBullMqJobQueue(options: BullMqJobQueueOptions): AbandonableJobQueue {
  const timing = resolveTiming(options);
  const prefix = options.keyPrefix ?? 'frugal';
  // BullMQ needs maxRetriesPerRequest: null (its blocking commands must not be cut short).
  const client = new Redis(options.url, { maxRetriesPerRequest: null });
  client.on('error', timing.onError);
  const queues = new Map<string, Queue>();
  const workers = new Set<Worker>();
  let closed = false;
  const retentionSeconds = Math.ceil(timing.retentionMs / 1000);
  const cancelledKey = (queue: string, backendId: string) => `${prefix}:${queue}:frugal-cancelled:${backendId}`;

  const ensureOpen = () => {
    if (closed) throw new Error('The queue is closed.');
  };
  function queueOf(name: string): Queue {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(checkQueueName(name), { connection: client, prefix });
      queue.on('error', timing.onError);
      queues.set(name, queue);
    }
    return queue;
  }

  return {
    kind: 'bullmq',
    async enqueue<T>(name: string, data: T, enqueueOptions: EnqueueOptions = {}) {
      ensureOpen();
      const queue = queueOf(name);
      const key = enqueueOptions.idempotencyKey;
      const backendId = key === undefined ? randomUUID() : `k${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
      if (key !== undefined) {
        const existing = await Job.fromId(queue, backendId);
        // A failed job does not hold its key: it is replaced by the new one.
        if (existing && (await existing.getState()) === 'failed') await existing.remove();
      }
      const jobOptions: JobsOptions = {
        jobId: backendId,
        attempts: checkMaxAttempts(enqueueOptions.maxAttempts),
        backoff: { type: 'fixed', delay: timing.retryDelayMs },
        delay: enqueueOptions.runAt === undefined ? undefined : Math.max(0, enqueueOptions.runAt - Date.now()),
        removeOnComplete: enqueueOptions.removeOnComplete ? true : { age: retentionSeconds },
        removeOnFail: { age: retentionSeconds },
      };
      await queue.add(name, { value: data, key: key ?? null }, jobOptions);
      await client.del(cancelledKey(name, backendId));
      return jobId(name, backendId);
    },

    async work<T>(name: string, workOptions: WorkOptions, handler: (job: QueueJob<T>) => Promise<void>): Promise<QueueWorker> {
      ensureOpen();
      checkQueueName(name);
      if (!Number.isSafeInteger(workOptions.concurrency) || workOptions.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${workOptions.concurrency}.`);
      const worker = new Worker<{ value: T; key: string | null }>(
        name,
        async (job) => {
          await handler({ id: jobId(name, job.id!), queue: name, data: job.data.value, attempt: job.attemptsStarted, idempotencyKey: job.data.key });
        },
        {
          connection: client,
          prefix,
          concurrency: workOptions.concurrency,
          lockDuration: timing.leaseMs,
          stalledInterval: timing.leaseMs,
          maxStalledCount: options.maxStalledCount ?? 2,
          drainDelay: Math.max(1, Math.ceil(timing.pollMs / 1000)),
        },
      );
      worker.on('error', timing.onError);
      workers.add(worker);
      await worker.waitUntilReady();
      return {
        stop: async () => {
          await worker.close();
          workers.delete(worker);
        },
      };
    },

    async status(id: string): Promise<JobStatus | null> {
      ensureOpen();
      const parsed = parseJobId(id);
      if (!parsed) return null;
      const job = await Job.fromId(queueOf(parsed.queue), parsed.backendId);
      if (!job) return (await client.exists(cancelledKey(parsed.queue, parsed.backendId))) ? { id, state: 'cancelled', attempts: 0, error: null } : null;
      const state = stateOf(await job.getState());
      return { id, state, attempts: job.attemptsStarted, error: state === 'completed' ? null : (job.failedReason ?? null) };
    },

    async cancel(id: string) {
      ensureOpen();
      const parsed = parseJobId(id);
      if (!parsed) return false;
      const queue = queueOf(parsed.queue);
      const job = await Job.fromId(queue, parsed.backendId);
      if (!job || stateOf(await job.getState()) !== 'waiting') return false;
      // 0 when a worker took it meanwhile (it is locked): then it was not cancelled.
      if ((await queue.remove(parsed.backendId)) !== 1) return false;
      await client.set(cancelledKey(parsed.queue, parsed.backendId), '1', 'EX', retentionSeconds);
      return true;
    },

    async depth(name: string) {
      ensureOpen();
      return queueOf(name).getJobCountByTypes(...WAITING_TYPES);
    },

    async dropQueue(name: string) {
      ensureOpen();
      const queue = queueOf(name);
      await queue.obliterate({ force: true });
      await queue.close();
      queues.delete(name);
    },

    async close() {
      if (closed) return;
      await Promise.all([...workers].map((worker) => worker.close()));
      closed = true;
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      await client.quit();
    },

    async abandon() {
      if (closed) return;
      closed = true;
      // force: no waiting for the running jobs, whose locks are then left to expire.
      await Promise.all([...workers].map((worker) => worker.close(true)));
      client.disconnect();
    },
  };
}
