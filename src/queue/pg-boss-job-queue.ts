import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { EnqueueOptions, JobState, JobStatus, QueueJob, QueueWorker, WorkOptions } from './job-queue.js';
import { checkMaxAttempts, checkQueueName, idempotentUuid, jobId, parseJobId } from './job-ids.js';
import { startPollLoop, type PollLoop } from './poll-loop.js';
import { resolveTiming, type QueueTiming } from './queue-timing.js';
import type { AbandonableJobQueue } from './sqlite-job-queue.js';

export interface PgBossJobQueueOptions extends QueueTiming {
  connectionString: string;
  /** pg-boss's own schema (tables `job`, `queue`, ...), beside the ledger's tables. */
  schema?: string;
  /** Connections in pg-boss's pool. */
  maxConnections?: number;
}

const STATES: Record<string, JobState> = { created: 'waiting', retry: 'waiting', active: 'running', completed: 'completed', cancelled: 'cancelled', failed: 'failed' };

interface BossJob {
  id: string;
  name: string;
  data: unknown;
  state: string;
  retryCount: number;
  retryLimit: number;
  startedOn: Date | null;
  singletonKey: string | null;
  output: { message?: string; value?: { message?: string } } | null;
}

/**
 * The queue for deployments with PostgreSQL: pg-boss (jobs claimed with `FOR UPDATE SKIP LOCKED`, so any number
 * of instances share one queue). Idempotency: a keyed job's id is a UUID derived from queue + key, so a second
 * insert of the same key conflicts on the job table's primary key (the key is also its singletonKey, for people
 * reading the table). A lease is pg-boss's `expire_in`; live workers renew it by moving `started_on`, and
 * pg-boss's maintenance hands an expired job back as a retry.
 *
 * @example
 * const queue = await createPgBossJobQueue({ connectionString: process.env.DATABASE_URL! });
 */
export async function createPgBossJobQueue(options: PgBossJobQueueOptions): Promise<AbandonableJobQueue> {
  const timing = resolveTiming(options);
  const schema = options.schema ?? 'frugal_queue';
  const leaseSeconds = Math.max(1, Math.ceil(timing.leaseMs / 1000));
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema,
    max: options.maxConnections ?? 4,
    application_name: 'frugal-queue',
    // Maintenance is what fails expired leases back to "retry": it must run within a lease.
    supervise: true,
    maintenanceIntervalSeconds: Math.max(1, Math.floor(leaseSeconds / 2)),
    schedule: false,
    archiveCompletedAfterSeconds: Math.max(1, Math.ceil(timing.retentionMs / 1000)),
    expireInSeconds: leaseSeconds,
  });
  boss.on('error', timing.onError);
  await boss.start();
  const db = boss.getDb();

  const created = new Set<string>();
  async function ensureQueue(queue: string) {
    if (created.has(queue)) return;
    checkQueueName(queue);
    // Idempotent in pg-boss (ON CONFLICT DO NOTHING); done once per name per instance.
    await boss.createQueue(queue);
    created.add(queue);
  }

  const loops = new Map<string, Set<PollLoop>>();
  let closed = false;
  let abandoned = false;
  const ensureOpen = () => {
    if (closed) throw new Error('The queue is closed.');
  };

  async function send(queue: string, data: unknown, id: string, key: string | null, enqueueOptions: EnqueueOptions) {
    return boss.send(queue, { value: data, ...(enqueueOptions.removeOnComplete ? { remove: true } : {}) }, {
      id,
      singletonKey: key ?? undefined,
      retryLimit: checkMaxAttempts(enqueueOptions.maxAttempts) - 1,
      retryDelay: Math.ceil(timing.retryDelayMs / 1000),
      expireInSeconds: leaseSeconds,
      startAfter: enqueueOptions.runAt === undefined ? undefined : new Date(enqueueOptions.runAt),
    });
  }

  async function find(queue: string, backendId: string): Promise<BossJob | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(backendId)) return null;
    if (!created.has(queue) && !(await boss.getQueue(queue))) return null;
    return (await boss.getJobById(queue, backendId, { includeArchive: true })) as BossJob | null;
  }

  return {
    kind: 'pg-boss',
    async enqueue<T>(queue: string, data: T, enqueueOptions: EnqueueOptions = {}) {
      ensureOpen();
      await ensureQueue(queue);
      const key = enqueueOptions.idempotencyKey ?? null;
      const backendId = key === null ? randomUUID() : idempotentUuid(queue, key);
      let sent = await send(queue, data, backendId, key, enqueueOptions);
      if (sent === null && key !== null) {
        const existing = await find(queue, backendId);
        // A failed or cancelled job does not hold its key: it is replaced by the new one.
        if (existing && (existing.state === 'failed' || existing.state === 'cancelled')) {
          await boss.deleteJob(queue, backendId);
          sent = await send(queue, data, backendId, key, enqueueOptions);
        }
      }
      for (const loop of loops.get(queue) ?? []) loop.wake();
      return jobId(queue, backendId);
    },

    async work<T>(queue: string, workOptions: WorkOptions, handler: (job: QueueJob<T>) => Promise<void>): Promise<QueueWorker> {
      ensureOpen();
      await ensureQueue(queue);
      const loop = startPollLoop<T>(
        {
          claim: async (limit) => {
            if (closed) return [];
            const jobs = (await boss.fetch<{ value: T; remove?: boolean }>(queue, { batchSize: limit, includeMetadata: true })) as unknown as Array<BossJob & { data: { value: T; remove?: boolean } }>;
            return jobs.map((job) => ({ id: jobId(queue, job.id), queue, data: job.data.value, attempt: job.retryCount + 1, idempotencyKey: job.singletonKey, lease: job.id, remove: job.data.remove === true }));
          },
          complete: async (job) => {
            if (abandoned) return;
            if ((job as { remove?: boolean }).remove) await boss.deleteJob(queue, job.lease);
            else await boss.complete(queue, job.lease);
          },
          fail: async (job, message) => {
            if (!abandoned) await boss.fail(queue, job.lease, { message });
          },
          renew: async (jobs) => {
            if (abandoned) return;
            await db.executeSql(`UPDATE "${schema}".job SET started_on = now() WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`, [queue, jobs.map((job) => job.lease)]);
          },
        },
        { concurrency: workOptions.concurrency, pollMs: timing.pollMs, renewMs: Math.max(100, Math.floor(timing.leaseMs / 3)), onError: timing.onError },
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
      const parsed = parseJobId(id);
      if (!parsed) return null;
      const job = await find(parsed.queue, parsed.backendId);
      if (!job) return null;
      const state = STATES[job.state] ?? 'waiting';
      const attempts = job.startedOn === null ? 0 : job.retryCount + 1;
      const error = state === 'failed' || (state === 'waiting' && attempts > 0) ? (job.output?.message ?? job.output?.value?.message ?? null) : null;
      return { id, state, attempts, error };
    },

    async cancel(id: string) {
      ensureOpen();
      const parsed = parseJobId(id);
      if (!parsed || !/^[0-9a-f-]{36}$/i.test(parsed.backendId)) return false;
      // pg-boss's own cancel also stops active jobs; the interface cancels only jobs that have not started.
      const result = await db.executeSql(
        `UPDATE "${schema}".job SET state = 'cancelled', completed_on = now() WHERE name = $1 AND id = $2::uuid AND state < 'active' RETURNING id`,
        [parsed.queue, parsed.backendId],
      );
      return result.rows.length > 0;
    },

    async depth(queue: string) {
      ensureOpen();
      checkQueueName(queue);
      const result = await db.executeSql(`SELECT count(*)::int AS n FROM "${schema}".job WHERE name = $1 AND state < 'active'`, [queue]);
      return Number(result.rows[0]?.n ?? 0);
    },

    async dropQueue(queue: string) {
      ensureOpen();
      checkQueueName(queue);
      // pg-boss's delete_queue removes the queue row before dropping its table, so the table's jobs must go first.
      await db.executeSql(`DELETE FROM "${schema}".job WHERE name = $1`, [queue]);
      await db.executeSql(`DELETE FROM "${schema}".archive WHERE name = $1`, [queue]);
      await boss.deleteQueue(queue);
      created.delete(queue);
    },

    async close() {
      if (closed) return;
      await Promise.all([...loops.values()].flatMap((set) => [...set].map((loop) => loop.stop())));
      closed = true;
      await boss.stop({ graceful: false, wait: true, close: true });
    },

    async abandon() {
      if (closed) return;
      abandoned = true;
      for (const set of loops.values()) for (const loop of set) loop.abandon();
      closed = true;
      // Not graceful: pg-boss must not fail the running jobs on the way out (a killed process could not).
      await boss.stop({ graceful: false, wait: false, close: true }).catch(() => {});
    },
  };
}
