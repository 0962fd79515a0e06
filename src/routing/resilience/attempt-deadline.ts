import { FrugalError } from '../../errors/frugal-error.js';
import type { TimeoutSpec } from '../route-schema.js';

export interface AttemptDeadline {
  /** The first chunk (or the whole answer) arrived: the first-token deadline no longer applies. */
  firstTokenArrived(): void;
  /** The attempt is over: clears every timer and unhooks from the caller's signal. Idempotent. */
  done(): void;
}

/**
 * A route's timeouts for one attempt, enforced by timers the attempt holds and that abort `controller` with a
 * retryable `upstream_timeout`. Not `AbortSignal.timeout` inside `AbortSignal.any`: a composite signal holds its
 * sources weakly and a timeout signal's timer is weak too, so under load the garbage collector took the timeout
 * and a stalled stream ran 72 s past its 5 s `total_ms` (nodejs/node#57736). `total_ms` keeps running while a
 * stream is read, so `done()` must be called when it ends (see `endsWith`).
 */
export function attemptDeadline(controller: AbortController, callerSignal: AbortSignal | undefined, timeouts: TimeoutSpec): AttemptDeadline {
  const follow = () => controller.abort(callerSignal?.reason);
  const timeout = (message: string, upstreamCode: string) => () => {
    controller.abort(new FrugalError('upstream_timeout', message, { retryable: true, upstreamFailure: true, upstreamCode }));
    done();
  };
  const { total_ms: totalMs, first_token_ms: firstTokenMs } = timeouts;
  let firstTokenTimer = firstTokenMs === undefined ? undefined : setTimeout(timeout(`No first token within ${firstTokenMs} ms.`, 'first_token_timeout'), firstTokenMs);
  let totalTimer = totalMs === undefined ? undefined : setTimeout(timeout(`No complete answer within ${totalMs} ms (total_ms).`, 'total_timeout'), totalMs);
  function done() {
    clearTimeout(firstTokenTimer);
    clearTimeout(totalTimer);
    firstTokenTimer = totalTimer = undefined;
    callerSignal?.removeEventListener('abort', follow);
  }
  if (callerSignal?.aborted) follow();
  else callerSignal?.addEventListener('abort', follow, { once: true });
  return {
    firstTokenArrived() {
      clearTimeout(firstTokenTimer);
      firstTokenTimer = undefined;
    },
    done,
  };
}
