import { randomUUID } from 'node:crypto';
import { endLineHolds } from './batch-budget.js';
import { holdRows } from './batch-ledger-rows.js';
import { CANCELLED_MESSAGE, EXPIRED_MESSAGE, failedLine } from './parse-batch-line.js';
import { eachLimited, type BatchRuntime } from './batch-runtime.js';
import type { BatchLine } from './batch-types.js';
import { maybeFinalize } from './finalize-batch.js';
import { KEY_GONE_CODE, KEY_GONE_MESSAGE } from './batch-key.js';
import { runOwnLine } from './own-lane.js';

/** One own-lane job: a range of line numbers of one batch. */
export interface OwnLaneJob {
  batchId: string;
  fromLine: number;
  toLine: number;
}

export const OWN_LANE_QUEUE = 'frugal-batch-lines';
export const NATIVE_SUBMIT_QUEUE = 'frugal-batch-submit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the own-lane lines of a job's range, each claimed before it runs and recorded once. A line another worker
 * holds is waited for (it finishes, or its lease lapses and it is taken over): the job ends only when every line
 * of its range is done, so a redelivered job after a kill -9 finishes the dead worker's lines.
 */
export async function runOwnLaneJob(runtime: BatchRuntime, job: OwnLaneJob): Promise<void> {
  const { store, settings } = runtime;
  const batch = await store.getBatch(job.batchId);
  if (batch === undefined || (batch.status !== 'in_progress' && batch.status !== 'cancelling')) return;
  const lines = (await store.lines(job.batchId, job.fromLine, job.toLine)).filter((line) => line.lane === 'own' && line.state !== 'done');
  let left = 0;
  await eachLimited(lines, settings.lineConcurrency, async (line) => {
    if (runtime.stopping) left += 1;
    else await runLine(runtime, batch, line);
  });
  // Thrown, so the queue tries the job again (here after a restart, or on another instance).
  if (left > 0) throw new Error(`instance stopping: ${left} lines of ${job.batchId} left for another run`);
  await maybeFinalize(runtime, job.batchId);
}

/**
 * Lines this process is running now (`batchId:lineNo`), each with its run. A lapsed lease says a worker may be
 * gone; it cannot say that of a run in this very process — one that only stalled (a loaded machine, a long GC)
 * while the queue handed its job out again. So a second delivery here waits for the run in progress and never
 * takes the line over: one line, one pipeline run, one ledger row per process. (Across instances the lease and its
 * renewal decide; see README "Files and Batches API".)
 */
const runningHere = new Map<string, Promise<void>>();

/**
 * Whether this process is running the line now. An expiry or cancel leaves such a line to finish even when its
 * lease lapsed (a stall): ended under it, its call would still be made and billed, yet reported as never run.
 */
export const isRunningHere = (batchId: string, lineNo: number): boolean => runningHere.has(`${batchId}:${lineNo}`);

async function runLine(runtime: BatchRuntime, batch: Parameters<typeof runOwnLine>[1], line: BatchLine): Promise<void> {
  const key = `${batch.id}:${line.lineNo}`;
  for (let running = runningHere.get(key); running !== undefined; running = runningHere.get(key)) await running;
  // No await between the last look and this: the entry is this run's alone.
  const run = runLineOnce(runtime, batch, line);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  runningHere.set(key, settled);
  try {
    await run;
  } finally {
    if (runningHere.get(key) === settled) runningHere.delete(key);
  }
}

async function runLineOnce(runtime: BatchRuntime, batch: Parameters<typeof runOwnLine>[1], line: BatchLine): Promise<void> {
  const { store, settings } = runtime;
  const owner = randomUUID();
  for (;;) {
    if (await store.claimLine(batch.id, line.lineNo, runtime.now() + settings.leaseMs, owner)) break;
    const [current] = await store.lines(batch.id, line.lineNo, line.lineNo);
    if (current === undefined || current.state === 'done') return;
    await sleep(Math.min(1_000, settings.leaseMs));
  }
  // Renewed from the claim on: a call longer than the lease keeps it, and another worker takes a line over only
  // when this one is gone.
  const renewal = setInterval(() => void store.renewLine(batch.id, line.lineNo, runtime.now() + settings.leaseMs, owner).catch(() => undefined), Math.max(50, Math.floor(settings.leaseMs / 3)));
  // The line ends without running: its error line stored, the hold taken for it at acceptance let go.
  const endUnrun = async (code: string, message: string) => {
    await store.completeLine(batch.id, line.lineNo, failedLine(line.customId, code, message));
    await endLineHolds(runtime.gateway.spendControl, batch.id, line.lineNo, undefined);
  };
  try {
    // A cancel or expiry that came meanwhile.
    const now = await store.getBatch(batch.id);
    if (now === undefined || now.status === 'cancelling' || runtime.now() > batch.expiresAt) {
      const cancelled = now?.status === 'cancelling';
      return await endUnrun(cancelled ? 'batch_cancelled' : 'batch_expired', cancelled ? CANCELLED_MESSAGE : EXPIRED_MESSAGE);
    }
    // A key revoked or expired since acceptance runs no more lines; one still in force runs them with its settings now.
    const key = await runtime.keys?.inForce(batch);
    if (key === null) return await endUnrun(KEY_GONE_CODE, KEY_GONE_MESSAGE);
    // The pipeline holds and settles the line's own budget as it runs; the hold taken at acceptance steps aside.
    await endLineHolds(runtime.gateway.spendControl, batch.id, line.lineNo, undefined);
    if (line.state === 'running') runtime.log.warn({ batchId: batch.id, line: line.lineNo }, 'line taken over from a lapsed lease: its earlier call may have reached the provider');
    // The row waits until the result is stored with it (batch-ledger-rows.ts): one run, one row, across a crash.
    const held = holdRows();
    const under = key ? { ...batch, caller: { ...batch.caller, key } } : batch;
    const result = await runOwnLine(runtime.gateway, under, line, { backgroundLane: settings.backgroundLane, holdRow: held.hold });
    // Recorded even when another run finished the line first: each row is a call that was made and paid.
    await store.completeLine(batch.id, line.lineNo, result, held.rows());
    runtime.rows?.releasedHere(held.rows());
    held.release();
  } finally {
    clearInterval(renewal);
  }
}
