import { createHash } from 'node:crypto';
import type { BatchRuntime } from './batch-runtime.js';
import type { BatchStatus, StoredBatch } from './batch-types.js';
import { fileLine } from './batch-wire.js';

/** Output and error file ids derived from the batch id: a finalize retried after a crash writes the same files. */
export function resultFileId(batchId: string, kind: 'output' | 'error'): string {
  return `file-${createHash('sha256').update(`${batchId}\n${kind}`).digest('hex').slice(0, 24)}`;
}

async function* resultFile(runtime: BatchRuntime, batchId: string, ok: boolean): AsyncIterable<Uint8Array> {
  let after = 0;
  for (;;) {
    const page = await runtime.store.results(batchId, ok, after, 1000);
    if (page.length === 0) return;
    yield Buffer.from(page.map(({ lineNo, result }) => fileLine(batchId, lineNo, result)).join(''));
    after = page[page.length - 1].lineNo;
  }
}

async function writeResultFile(runtime: BatchRuntime, batch: StoredBatch, ok: boolean, count: number): Promise<string | null> {
  if (count === 0) return null;
  const id = resultFileId(batch.id, ok ? 'output' : 'error');
  if (await runtime.store.getFile(id)) return id;
  const now = runtime.now();
  try {
    await runtime.store.putFile(
      { id, owner: batch.owner, filename: `${batch.id}_${ok ? 'output' : 'error'}.jsonl`, purpose: 'batch_output', createdAt: now, expiresAt: null },
      resultFile(runtime, batch.id, ok),
      Number.MAX_SAFE_INTEGER,
    );
  } catch (error) {
    // Another instance finalising the same batch stored it first (PostgreSQL refuses the second copy's chunks).
    if (await runtime.store.getFile(id)) return id;
    throw error;
  }
  return id;
}

/**
 * Ends a batch whose lines are all done: in_progress → finalizing → completed (or expired, past its window), or
 * cancelling → cancelled, writing the output and error files in line order. Each move is a compare-and-set, so of
 * several instances only one finalises; one that died mid-way leaves `finalizing`, which the poller finishes.
 */
export function maybeFinalize(runtime: BatchRuntime, batchId: string): Promise<BatchStatus | undefined> {
  // One after another per batch in this process: the last line's job, the poller and a cancel all ask at once.
  const before = finalizing.get(batchId) ?? Promise.resolve(undefined);
  const run = before.catch(() => undefined).then(() => finalizeOnce(runtime, batchId));
  finalizing.set(batchId, run);
  void run.finally(() => {
    if (finalizing.get(batchId) === run) finalizing.delete(batchId);
  }).catch(() => undefined);
  return run;
}

const finalizing = new Map<string, Promise<BatchStatus | undefined>>();

async function finalizeOnce(runtime: BatchRuntime, batchId: string): Promise<BatchStatus | undefined> {
  const { store } = runtime;
  const counts = await store.counts(batchId);
  if (counts.open > 0) return undefined;
  let batch = await store.getBatch(batchId);
  if (batch === undefined) return undefined;
  const now = runtime.now();
  if (batch.status === 'in_progress') {
    if (!(await store.updateBatch(batchId, { status: 'finalizing', times: { finalizingAt: now } }, ['in_progress']))) return undefined;
    batch = { ...batch, status: 'finalizing' };
  }
  if (batch.status !== 'finalizing' && batch.status !== 'cancelling') return undefined;
  const outputFileId = await writeResultFile(runtime, batch, true, counts.completed);
  const errorFileId = await writeResultFile(runtime, batch, false, counts.failed);
  const final: BatchStatus = batch.status === 'cancelling' ? 'cancelled' : now > batch.expiresAt ? 'expired' : 'completed';
  const stamp = final === 'cancelled' ? { cancelledAt: now } : final === 'expired' ? { expiredAt: now } : { completedAt: now };
  const moved = await store.updateBatch(batchId, { status: final, times: stamp, outputFileId, errorFileId }, [batch.status]);
  if (moved) runtime.log.info({ batchId, status: final, completed: counts.completed, failed: counts.failed }, 'batch finished');
  return moved ? final : undefined;
}
