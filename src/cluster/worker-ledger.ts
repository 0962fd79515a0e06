import { randomUUID } from 'node:crypto';
import type { LedgerRow } from '../ledger/ledger-row.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import { requestTags } from '../pipeline/parse-tags.js';
import type { CallerContext } from '../request/request-context.js';
import type { IpcPeer } from './ipc-peer.js';

/** What the primary keeps of a request a worker has started, to write its row if the worker dies before it does. */
export interface StartedRequest {
  id: string;
  ts: number;
  keyId: string | null;
  user: string | null;
  tags: Record<string, string>;
  requestedModel: string;
  stream: boolean;
}

/**
 * A worker's ledger writer: each row goes to the primary at once, whose one LedgerWriter (and spool) writes every
 * worker's rows, so there is one writer path however many workers run. `durable()` asks the primary: rows travel
 * on the same ordered pipe, so every row this worker recorded before the call is in the primary's writer (and,
 * with `ledger.durability: spool`, fsynced) when it is answered.
 *
 * @example
 * const writer = createWorkerLedgerWriter(primary);
 * writer.record(row); // on the request path: one IPC message, no I/O here
 */
export function createWorkerLedgerWriter(primary: IpcPeer): LedgerWriter {
  let closed = false;
  const durable = () => primary.call<null>('ledger.durable').then(() => undefined);
  return {
    record(row: LedgerRow) {
      if (closed) process.emitWarning(`ledger writer is closed: row ${row.id} sent anyway`, 'FrugalLedgerWarning');
      primary.notify('ledger.row', row);
    },
    flush: durable,
    async close() {
      closed = true;
      await durable();
    },
    pending: () => 0,
    durable,
  };
}

/**
 * Tells the primary when a chat or embeddings call starts, so that a worker that dies mid-request still leaves one
 * row for it (written by the primary with error code `worker_exited`). The row the request records when it ends
 * tells the primary it is over. A call without a request id gets one here, so the two can be matched.
 */
export function announceStarts(gateway: Gateway, primary: IpcPeer): Gateway {
  const started = (body: unknown, caller: CallerContext, stream: boolean): CallerContext => {
    const request = (typeof body === 'object' && body !== null ? body : {}) as { model?: unknown; user?: unknown; metadata?: unknown };
    const withId = caller.requestId === undefined ? { ...caller, requestId: `frg-${randomUUID()}` } : caller;
    const metadata = typeof request.metadata === 'object' && request.metadata !== null ? (request.metadata as Record<string, unknown>) : undefined;
    primary.notify('ledger.start', {
      id: withId.requestId!,
      ts: Date.now(),
      keyId: caller.key?.id ?? caller.keyId ?? null,
      user: typeof request.user === 'string' ? request.user : null,
      tags: requestTags(caller.key, caller.tags, metadata),
      requestedModel: typeof request.model === 'string' ? request.model : '',
      stream,
    } satisfies StartedRequest);
    return withId;
  };
  return {
    ...gateway,
    chat: (body, caller = {}) => gateway.chat(body, started(body, caller, (body as { stream?: unknown } | null)?.stream === true)),
    embeddings: (body, caller = {}) => gateway.embeddings(body, started(body, caller, false)),
  };
}
