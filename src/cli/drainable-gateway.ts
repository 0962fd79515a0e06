import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import type { CallerContext } from '../request/request-context.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { ChatChunk } from '../wire/chat-types.js';
import { onStreamEnd } from '../request/stream-end.js';

export interface DrainableGatewayOptions {
  /**
   * `ledger.durability: spool`: resolves once every row recorded so far is on disk. A reply is completed only
   * after it: the JSON body is sent, and a stream's finishing chunks (finish_reason, usage, [DONE]) are written,
   * once the request's row is durable. Without it nothing waits.
   */
  durable?: () => Promise<void>;
}

export interface DrainResult {
  /** Requests that finished on their own before the deadline. */
  finished: number;
  /** Requests ended by the deadline (their rows carry error code `shutdown`). */
  cut: number;
  /** Requests that had not unwound `abortGraceMs` after being ended: their rows may be missing. */
  stuck: number;
}

interface InFlight {
  /** The signal the gateway runs the call under. */
  signal: AbortSignal;
  /** Aborts `signal` (the drain's deadline). */
  end: (reason: Error) => void;
  /** Drops what tied the call to the caller's signal. */
  release: () => void;
  requestId: string | undefined;
}

/**
 * A call the drain can end. An edge that owns its signal's controller lends it (`endCall`): one controller per
 * request, not a second one relaying the first (the HTTP edge does, for every request). Otherwise a controller of
 * its own, following the caller's signal by hand, not with AbortSignal.any: the listener is removed when the call ends.
 */
function ownedCall(caller: CallerContext): InFlight {
  const requestId = caller.requestId;
  if (caller.signal && caller.endCall) return { signal: caller.signal, end: caller.endCall, release: () => {}, requestId };
  const controller = new AbortController();
  const outer = caller.signal;
  const relay = () => controller.abort(outer?.reason);
  if (outer?.aborted) relay();
  else outer?.addEventListener('abort', relay, { once: true });
  return { signal: controller.signal, end: (reason) => controller.abort(reason), release: () => outer?.removeEventListener('abort', relay), requestId };
}

/** Chunks that end a choice or carry the usage: held back until the row is durable. */
function finishing(chunk: ChatChunk): boolean {
  return chunk.usage != null || chunk.choices.some((choice) => choice.finish_reason != null);
}

function shutdownError(): FrugalError {
  return new FrugalError('shutdown', 'The gateway is shutting down and ended this request before it finished; retry it.', { retryable: true });
}

/**
 * What `frugal serve` puts around the gateway so that a shutdown loses no row: every chat and embeddings call
 * is tracked; `drain(deadline)` waits for them, then aborts the rest through their own signal, so the pipeline's
 * usual abort path writes their rows (marked `shutdown` by `sink`) and streams end with an error event.
 *
 * @example
 * const drainable = createDrainableGateway({ durable: () => writer.durable() });
 * const gateway = drainable.wrap(createGatewayFromConfig(config, drainable.sink(writer)));
 * // on SIGTERM, after the server stopped accepting:
 * await drainable.drain(config.server.drainTimeoutMs);
 */
export function createDrainableGateway({ durable }: DrainableGatewayOptions = {}) {
  const inFlight = new Set<InFlight>();
  const cutIds = new Set<string>();
  let onIdle: (() => void) | undefined;
  let ending = false;

  function begin(caller: CallerContext): { call: InFlight; caller: CallerContext; done: () => void } {
    const call = ownedCall(caller);
    inFlight.add(call);
    if (ending) end(call);
    const done = () => {
      call.release();
      if (!inFlight.delete(call)) return;
      if (inFlight.size === 0) onIdle?.();
    };
    return { call, caller: caller.signal === call.signal ? caller : { ...caller, signal: call.signal }, done };
  }

  function end(call: InFlight) {
    if (call.requestId !== undefined) cutIds.add(call.requestId);
    call.end(shutdownError());
  }

  const waitDurable = async () => {
    if (durable) await durable();
  };

  async function* acknowledged(source: AsyncIterable<ChatChunk>, call: InFlight, done: () => void): AsyncGenerator<ChatChunk> {
    const held: ChatChunk[] = [];
    let failure: unknown;
    let completed = false;
    try {
      try {
        for await (const chunk of source) {
          if (durable && finishing(chunk)) {
            held.push(chunk);
            continue;
          }
          // A later delta (another choice still running): what was held is not the end after all.
          if (held.length > 0) yield* held.splice(0);
          yield chunk;
        }
        completed = true;
      } catch (error) {
        failure = error;
      }
    } finally {
      // The source has ended (its row is recorded) or the client went away; either way this call is over.
      done();
    }
    await waitDurable();
    if (!completed) throw rethrown(failure, call);
    yield* held;
  }

  function rethrown(error: unknown, call: InFlight): unknown {
    const reason = call.signal.reason;
    return reason instanceof FrugalError && reason.code === 'shutdown' ? reason : error;
  }

  return {
    /** The ledger sink the gateway writes to: rows of requests ended by the drain deadline say so. */
    sink(inner: LedgerSink): LedgerSink {
      return {
        record(row: LedgerRow) {
          inner.record(cutIds.has(row.id) && row.status !== 'ok' ? { ...row, errorCode: 'shutdown', httpStatus: 503 } : row);
        },
      };
    },

    wrap(gateway: Gateway): Gateway {
      return {
        ...gateway,
        async chat(body, caller = {}) {
          const scope = begin(caller);
          let reply;
          try {
            reply = await gateway.chat(body, scope.caller);
          } catch (error) {
            scope.done();
            await waitDurable();
            throw rethrown(error, scope.call);
          }
          if (reply.kind === 'stream') {
            // Without the spool nothing is held back: only the end matters (a lighter wrapper than the generator).
            const chunks = durable ? acknowledged(reply.chunks, scope.call, scope.done) : onStreamEnd(reply.chunks, scope.done, (error) => rethrown(error, scope.call));
            return { ...reply, chunks };
          }
          scope.done();
          await waitDurable();
          return reply;
        },
        async embeddings(body, caller = {}) {
          const scope = begin(caller);
          try {
            return await gateway.embeddings(body, scope.caller);
          } catch (error) {
            throw rethrown(error, scope.call);
          } finally {
            scope.done();
            await waitDurable();
          }
        },
      };
    },

    /** Requests still running. */
    inFlight: () => inFlight.size,

    /**
     * Waits up to `deadlineMs` for the running requests, then ends the rest and waits up to `abortGraceMs` for
     * them to unwind (an upstream that ignores the abort must not hold the process forever).
     */
    async drain(deadlineMs: number, abortGraceMs = 5_000): Promise<DrainResult> {
      const before = inFlight.size;
      const idle = () => new Promise<void>((resolve) => (inFlight.size === 0 ? resolve() : (onIdle = resolve)));
      const within = (ms: number) => {
        let timer: NodeJS.Timeout | undefined;
        return Promise.race([idle().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]).finally(() => clearTimeout(timer));
      };
      if (await within(deadlineMs)) return { finished: before, cut: 0, stuck: 0 };
      ending = true;
      const cut = inFlight.size;
      for (const call of inFlight) end(call);
      await within(abortGraceMs);
      return { finished: before - cut, cut, stuck: inFlight.size };
    },
  };
}
