import { FrugalError } from '../errors/frugal-error.js';
import { buildLedgerRow } from '../ledger/ledger-row-builder.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { IpcPeer } from './ipc-peer.js';
import type { StartedRequest } from './worker-ledger.js';

/** Requests a worker started and has not recorded yet, by id (a caller may reuse an id: counted). */
type Started = Map<string, { request: StartedRequest; count: number }>;

/**
 * The primary's half of the ledger: every worker's rows go into the one LedgerWriter the primary owns (with its
 * spool, quarantine and retries), and the requests each worker has started are remembered until their row
 * arrives. When a worker dies, `workerGone` writes one `worker_exited` row for each request it left unrecorded:
 * no started request without a row, and none with two (a row that did arrive closed its entry).
 *
 * @example
 * const ledger = createPrimaryLedger(writer);
 * ledger.attach(worker.id, peer);
 * worker.on('exit', () => ledger.workerGone(worker.id));
 */
export function createPrimaryLedger(writer: LedgerWriter, now: () => number = Date.now) {
  const startedBy = new Map<number, Started>();

  return {
    attach(workerId: number, worker: IpcPeer) {
      const started: Started = new Map();
      startedBy.set(workerId, started);
      worker.onNotice('ledger.start', (request: StartedRequest) => {
        const entry = started.get(request.id);
        if (entry) entry.count += 1;
        else started.set(request.id, { request, count: 1 });
      });
      worker.onNotice('ledger.row', (row: LedgerRow) => {
        const entry = started.get(row.id);
        if (entry && --entry.count === 0) started.delete(row.id);
        writer.record(row);
      });
      worker.handle('ledger.durable', async () => {
        await writer.durable();
        return null;
      });
    },

    /** Call once the worker's pipe is closed (every message it sent has arrived). Returns the rows written. */
    workerGone(workerId: number): number {
      const started = startedBy.get(workerId);
      startedBy.delete(workerId);
      if (!started) return 0;
      let written = 0;
      for (const { request, count } of started.values()) {
        for (let index = 0; index < count; index++) writer.record(exitedRow(request, now()));
        written += count;
      }
      return written;
    },

    /** Requests started and not yet recorded, over every worker. */
    inFlight(): number {
      let total = 0;
      for (const started of startedBy.values()) for (const { count } of started.values()) total += count;
      return total;
    },
  };
}

function exitedRow(request: StartedRequest, at: number): LedgerRow {
  const noSpend = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheCreationTokens: 0, costNanos: 0, estimated: false };
  return buildLedgerRow({
    requestId: request.id,
    startedAt: request.ts,
    // The latency is the time until the worker was found dead: how long the caller waited for nothing.
    startedHr: performance.now() - (at - request.ts),
    keyId: request.keyId,
    user: request.user,
    tags: request.tags,
    requestedModel: request.requestedModel,
    servedModel: null,
    provider: null,
    stream: request.stream,
    spend: noSpend,
    savings: undefined,
    ttftMs: null,
    status: 'error',
    error: new FrugalError('worker_exited', 'the worker process serving this request exited before it finished'),
    cacheStatus: null,
    decision: { trace: [], task: null },
    tokenReduction: null,
    // Said out loud: the cost is recorded as 0, but an upstream may have billed the call before the worker died.
    warnings: ['the worker process died mid-request: any cost the upstream billed is not known'],
  });
}
