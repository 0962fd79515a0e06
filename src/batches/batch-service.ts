import { randomBytes } from 'node:crypto';
import type { Gateway } from '../pipeline/create-gateway.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { JobQueue, QueueWorker } from '../queue/job-queue.js';
import { FrugalError } from '../errors/frugal-error.js';
import { acceptLines } from './accept-batch.js';
import { createAnthropicBatchClient } from './anthropic-batch-client.js';
import { reserveBatchBudgets } from './batch-budget.js';
import { createRowReconciler } from './batch-ledger-rows.js';
import { DEFAULT_BATCH_SETTINGS, type BatchLogger, type BatchRuntime, type BatchSettings } from './batch-runtime.js';
import type { BatchStore } from './batch-store.js';
import { BATCH_ENDPOINTS, type BatchCaller, type BatchEndpoint, type LineLane, type StoredBatch, type StoredFile } from './batch-types.js';
import { batchObject } from './batch-wire.js';
import { newTimeOrderedId } from './batch-ids.js';
import { maybeFinalize } from './finalize-batch.js';
import type { NativeBatchClient } from './native-batch-client.js';
import { cancelNative, collectNative, submitNative } from './native-lane.js';
import { createOpenAIBatchClient } from './openai-batch-client.js';
import { isRunningHere, NATIVE_SUBMIT_QUEUE, OWN_LANE_QUEUE, runOwnLaneJob, type OwnLaneJob } from './own-lane-job.js';
import { CANCELLED_MESSAGE, EXPIRED_MESSAGE, failedLine } from './parse-batch-line.js';
import { endLineHolds } from './batch-budget.js';
import type { KeyStore } from '../keys/key-store.js';
import { batchKeys } from './batch-key.js';

export interface BatchServiceOptions {
  store: BatchStore;
  gateway: Gateway;
  queue: JobQueue;
  ledger?: LedgerSink;
  /**
   * The ledger's store, asked whether it has the rows a line kept (batch-ledger-rows.ts); `rowGraceMs`: how long a
   * live writer may take to store a row (the ledger's flush interval, with room).
   */
  ledgerStore?: { store: Pick<LedgerStore, 'countStored'>; rowGraceMs: number };
  settings?: Partial<BatchSettings>;
  log?: BatchLogger;
  /** The virtual keys: a batch's lines stop when its key is revoked or expires (batch-key.ts). */
  keys?: Pick<KeyStore, 'get'>;
  /** For the native batch clients (tests pass their own). */
  fetch?: typeof fetch;
  now?: () => number;
}

export interface CreateBatchInput {
  input_file_id?: unknown;
  endpoint?: unknown;
  completion_window?: unknown;
  metadata?: unknown;
}

export type BatchObject = ReturnType<typeof batchObject>;

export interface BatchService {
  readonly settings: BatchSettings;
  uploadFile(owner: string, filename: string, purpose: string, content: AsyncIterable<Uint8Array>): Promise<StoredFile>;
  createBatch(owner: string, caller: BatchCaller, input: CreateBatchInput): Promise<BatchObject>;
  retrieve(id: string, owner: string): Promise<BatchObject>;
  list(owner: string, after: string | undefined, limit: number): Promise<{ data: BatchObject[]; hasMore: boolean }>;
  cancel(id: string, owner: string): Promise<BatchObject>;
  /** Starts this instance's workers and poller, and picks up batches a stopped instance left. */
  start(): Promise<void>;
  /** One poller pass (tests call it instead of waiting for the interval). */
  pollOnce(): Promise<void>;
  stop(): Promise<void>;
}

const SILENT: BatchLogger = { info() {}, warn() {}, error() {} };

function invalid(message: string, param: string): FrugalError {
  return new FrugalError('invalid_request', message, { param });
}

function checkMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid("'metadata' must be an object of strings.", 'metadata');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 16) throw invalid("'metadata' may hold at most 16 keys.", 'metadata');
  for (const [key, entry] of entries) {
    if (key.length > 64 || typeof entry !== 'string' || entry.length > 512) throw invalid("'metadata' keys are strings of at most 64 characters, values of at most 512.", 'metadata');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * OpenAI's Files + Batches API over Frugal's lanes. Lines on models whose provider has a batch API go there; the
 * rest run as jobs on the durable queue, each through the real pipeline. All state is in the BatchStore, so any
 * instance can pick a batch up where a stopped or killed one left it.
 *
 * @example
 * const batches = createBatchService({ store, gateway, queue, ledger });
 * await batches.start();
 */
export function createBatchService(options: BatchServiceOptions): BatchService {
  const settings: BatchSettings = { ...DEFAULT_BATCH_SETTINGS, ...options.settings };
  const { store, gateway, queue } = options;
  const clients = new Map<string, NativeBatchClient>();
  const log = options.log ?? SILENT;
  const runtime: BatchRuntime = {
    store,
    gateway,
    ledger: options.ledger,
    rows:
      options.ledgerStore &&
      createRowReconciler(store, options.ledgerStore.store, options.ledger, options.ledgerStore.rowGraceMs, (line) =>
        log.warn({ batchId: line.batchId, line: line.lineNo }, 'the ledger never stored this line\'s row (its writer reported why)'),
      ),
    settings,
    log,
    now: options.now ?? Date.now,
    keys: options.keys && batchKeys(options.keys, options.now),
    stopping: false,
    nativeClient(lane, provider) {
      const key = `${lane}|${provider}`;
      let client = clients.get(key);
      if (!client) {
        const providerSettings = gateway.config.providers.get(provider);
        if (!providerSettings) throw new FrugalError('internal_error', `Provider '${provider}' is not configured.`);
        client = lane === 'anthropic_batch' ? createAnthropicBatchClient(providerSettings, options.fetch) : createOpenAIBatchClient(providerSettings, options.fetch);
        clients.set(key, client);
      }
      return client;
    },
  };
  const workers: QueueWorker[] = [];
  const startedAt = `${Date.now()}-${randomBytes(3).toString('hex')}`;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  async function objectOf(batch: StoredBatch): Promise<BatchObject> {
    return batchObject(batch, await store.counts(batch.id));
  }

  /**
   * `generation` is part of each job's idempotency key: a restart enqueues a batch's jobs again (a job that gave its
   * lines back when its instance stopped is not lost); duplicates find their lines done or claimed and do nothing.
   */
  async function enqueueWork(batchId: string, ownLines: readonly number[], native: ReadonlyArray<{ lane: LineLane; provider: string }>, generation = 'accept'): Promise<void> {
    for (let start = 0; start < ownLines.length; start += settings.chunkLines) {
      const chunk = ownLines.slice(start, start + settings.chunkLines);
      const job: OwnLaneJob = { batchId, fromLine: chunk[0], toLine: chunk[chunk.length - 1] };
      await queue.enqueue(OWN_LANE_QUEUE, job, { idempotencyKey: `${batchId}:${job.fromLine}-${job.toLine}:${generation}`, maxAttempts: 5 });
    }
    for (const { lane, provider } of native) {
      await queue.enqueue(NATIVE_SUBMIT_QUEUE, { batchId, lane, provider }, { idempotencyKey: `${batchId}:submit:${provider}`, maxAttempts: 5 });
    }
  }

  /** Re-enqueues the work of a batch in progress (idempotent): what a restart, or a lost enqueue, needs. */
  async function resume(batch: StoredBatch): Promise<void> {
    const own: number[] = [];
    const native = new Map<string, { lane: LineLane; provider: string }>();
    const upstreamProviders = new Set((await store.upstreams(batch.id)).map((upstream) => upstream.provider));
    for (let from = 1; from <= batch.total; from += 5_000) {
      for (const line of await store.lines(batch.id, from, from + 4_999)) {
        if (line.lane === 'own' && line.state !== 'done') own.push(line.lineNo);
        else if (line.lane !== 'none' && line.provider && line.state === 'pending' && !upstreamProviders.has(line.provider)) native.set(line.provider, { lane: line.lane, provider: line.provider });
      }
    }
    await enqueueWork(batch.id, own, [...native.values()], `start-${startedAt}`);
    await maybeFinalize(runtime, batch.id);
  }

  async function endOpenLines(batch: StoredBatch, code: 'batch_expired' | 'batch_cancelled'): Promise<void> {
    const message = code === 'batch_expired' ? EXPIRED_MESSAGE : CANCELLED_MESSAGE;
    const ended: number[] = [];
    await store.completeOpenLines(
      batch.id,
      runtime.now(),
      (line) => {
        ended.push(line.lineNo);
        return failedLine(line.customId, code, message);
      },
      (line) => line.state === 'running' && isRunningHere(batch.id, line.lineNo),
    );
    for (const lineNo of ended) await endLineHolds(gateway.spendControl, batch.id, lineNo, undefined);
  }

  /** Rows a dead process kept with its lines reach the ledger; rows the ledger has stop being kept. */
  async function reconcileRows(): Promise<void> {
    const outcome = await runtime.rows?.reconcile(Date.now());
    if (outcome && outcome.recorded > 0) runtime.log.info(outcome, 'batch line rows recorded that a stopped instance never wrote');
  }

  async function pollOnce(): Promise<void> {
    const now = runtime.now();
    await reconcileRows().catch((error: unknown) => runtime.log.warn({ err: error }, 'could not reconcile batch line rows with the ledger'));
    for (const upstream of await store.openUpstreams(100)) {
      await collectNative(runtime, upstream).catch((error: unknown) => runtime.log.warn({ err: error, upstreamId: upstream.upstreamId }, 'could not poll an upstream batch'));
    }
    for (const batch of await store.batchesIn(['in_progress', 'cancelling', 'finalizing', 'validating'], 1_000)) {
      try {
        if (batch.status === 'validating' && now - batch.createdAt > settings.leaseMs) {
          // The instance validating it died: the caller never got the batch back as accepted.
          await store.updateBatch(batch.id, { status: 'failed', times: { failedAt: now }, errors: [{ code: 'validation_interrupted', message: 'The gateway stopped while validating this batch; create it again.', param: null, line: null }] }, ['validating']);
          continue;
        }
        if (batch.status === 'cancelling') {
          await endOpenLines(batch, 'batch_cancelled');
          for (const upstream of await store.upstreams(batch.id)) if (upstream.state === 'open') await cancelNative(runtime, upstream).catch(() => undefined);
        } else if (batch.status === 'in_progress' && now > batch.expiresAt) {
          await endOpenLines(batch, 'batch_expired');
        }
        if (batch.status !== 'validating') await maybeFinalize(runtime, batch.id);
      } catch (error) {
        runtime.log.warn({ err: error, batchId: batch.id }, 'batch poll failed');
      }
    }
  }

  return {
    settings,
    async uploadFile(owner, filename, purpose, content) {
      const now = runtime.now();
      return store.putFile({ id: newTimeOrderedId('file-', now), owner, filename, purpose, createdAt: now, expiresAt: null }, content, settings.maxFileBytes);
    },

    async createBatch(owner, caller, input) {
      if (typeof input.input_file_id !== 'string' || input.input_file_id === '') throw invalid("'input_file_id' is required.", 'input_file_id');
      if (!BATCH_ENDPOINTS.includes(input.endpoint as BatchEndpoint)) throw invalid(`'endpoint' must be one of ${BATCH_ENDPOINTS.join(', ')}.`, 'endpoint');
      if (input.completion_window !== '24h') throw invalid("'completion_window' must be '24h'.", 'completion_window');
      const metadata = checkMetadata(input.metadata);
      const file = await store.getFile(input.input_file_id, owner);
      if (!file) throw new FrugalError('not_found', `No such File object: ${input.input_file_id}`, { param: 'input_file_id' });
      if (file.purpose !== 'batch') throw invalid(`File ${file.id} was uploaded with purpose '${file.purpose}'; a batch needs purpose 'batch'.`, 'input_file_id');
      const now = runtime.now();
      const batch: StoredBatch = {
        id: newTimeOrderedId('batch_', now),
        owner,
        status: 'validating',
        endpoint: input.endpoint as BatchEndpoint,
        inputFileId: file.id,
        completionWindow: '24h',
        metadata,
        createdAt: now,
        expiresAt: now + settings.windowMs,
        times: {},
        outputFileId: null,
        errorFileId: null,
        errors: null,
        total: 0,
        caller,
      };
      await store.createBatch(batch);
      const accepted = await acceptLines(runtime, batch);
      if (accepted.failures) {
        // A batch that fails validation runs nothing and counts nothing (OpenAI's request_counts stay 0): the lines
        // stored before the failure was found go, the batch stays to be read. A cancel that came while it was
        // validating wins (as on OpenAI, once cancelling is reported it ends cancelled): the compare-and-set below
        // fails only for a batch a cancel already moved, which then ends `cancelled` with the same zero counts.
        const failedAt = runtime.now();
        if (await store.updateBatch(batch.id, { status: 'failed', times: { failedAt } }, ['validating'])) {
          await store.deleteBatch(batch.id);
          await store.createBatch({ ...batch, status: 'failed', times: { failedAt }, errors: accepted.failures });
        } else {
          const cancelled = await store.getBatch(batch.id);
          await store.deleteBatch(batch.id);
          await store.createBatch({ ...batch, status: 'cancelled', times: { ...cancelled?.times, cancelledAt: cancelled?.times.cancelledAt ?? failedAt } });
        }
        return objectOf((await store.getBatch(batch.id))!);
      }
      try {
        await reserveBatchBudgets({ config: gateway.config, spendControl: gateway.spendControl }, batch.id, caller, accepted.holds, settings.windowMs + 3_600_000);
      } catch (error) {
        await store.deleteBatch(batch.id);
        throw error;
      }
      await store.updateBatch(batch.id, { status: 'in_progress', total: accepted.total, times: { inProgressAt: runtime.now() } }, ['validating']);
      await enqueueWork(batch.id, accepted.ownLines, accepted.native);
      // Every line may already be done (all invalid): finish at once.
      await maybeFinalize(runtime, batch.id);
      return objectOf((await store.getBatch(batch.id))!);
    },

    async retrieve(id, owner) {
      const batch = await store.getBatch(id, owner);
      if (!batch) throw new FrugalError('not_found', `No batch found with id '${id}'.`, { param: 'batch_id' });
      return objectOf(batch);
    },

    async list(owner, after, limit) {
      const page = await store.listBatches({ owner, after, limit });
      return { data: await Promise.all(page.data.map(objectOf)), hasMore: page.hasMore };
    },

    async cancel(id, owner) {
      const batch = await store.getBatch(id, owner);
      if (!batch) throw new FrugalError('not_found', `No batch found with id '${id}'.`, { param: 'batch_id' });
      if (batch.status === 'validating' || batch.status === 'in_progress') {
        await store.updateBatch(id, { status: 'cancelling', times: { cancellingAt: runtime.now() } }, [batch.status]);
        const current = (await store.getBatch(id))!;
        await endOpenLines(current, 'batch_cancelled');
        for (const upstream of await store.upstreams(id)) if (upstream.state === 'open') await cancelNative(runtime, upstream).catch(() => undefined);
        await maybeFinalize(runtime, id);
      } else if (batch.status !== 'cancelling' && batch.status !== 'cancelled') {
        throw new FrugalError('invalid_request', `Cannot cancel a batch with status '${batch.status}'.`, { status: 409 });
      }
      return objectOf((await store.getBatch(id))!);
    },

    async start() {
      workers.push(await queue.work<OwnLaneJob>(OWN_LANE_QUEUE, { concurrency: settings.concurrency }, (job) => runOwnLaneJob(runtime, job.data)));
      workers.push(
        await queue.work<{ batchId: string; lane: Exclude<LineLane, 'own' | 'none'>; provider: string }>(NATIVE_SUBMIT_QUEUE, { concurrency: 1 }, (job) =>
          submitNative(runtime, job.data.batchId, job.data.lane, job.data.provider),
        ),
      );
      for (const batch of await store.batchesIn(['in_progress', 'cancelling', 'finalizing'], 10_000)) {
        await resume(batch).catch((error: unknown) => runtime.log.warn({ err: error, batchId: batch.id }, 'could not resume a batch'));
      }
      timer = setInterval(() => {
        polling ??= pollOnce()
          .catch((error: unknown) => runtime.log.error({ err: error }, 'batch poller'))
          .finally(() => (polling = undefined));
      }, settings.pollIntervalMs);
      timer.unref();
    },
    pollOnce,
    async stop() {
      runtime.stopping = true;
      clearInterval(timer);
      await polling;
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    },
  };
}
