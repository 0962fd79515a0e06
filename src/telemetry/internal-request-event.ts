import { channels } from './events.js';

/**
 * A request Frugal runs on its own behalf, with no HTTP request around it: a line of a batch run by Frugal's own
 * lane. Tracing gives it a root span as the HTTP edge gives a call, so its upstream attempts, routing events and
 * ledger row land in a trace too (otherwise they would have no parent to hang on and be dropped).
 */
export interface InternalRequestEvent {
  readonly requestId: string;
  readonly operation: 'chat' | 'embeddings';
  /** The request body as the line carries it: the span reads its model and parameters, never its content. */
  readonly body: unknown;
  /** The Batches API job the request is a line of. */
  readonly batchId: string;
}

/** Runs `work` as an internal request: inside its span when a tracer listens, as is otherwise. */
export async function runInternalRequest<T>(event: InternalRequestEvent, work: () => Promise<T>): Promise<T> {
  if (!channels.internalRequestStart.hasSubscribers) return work();
  return channels.internalRequestStart.runStores(event, async () => {
    try {
      return await work();
    } finally {
      // Published inside the request's own context: the tracer finds the span there and ends it.
      channels.internalRequestEnd.publish(event);
    }
  });
}
