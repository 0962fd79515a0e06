import { PROVIDER_CREDENTIALS_REJECTED } from '../../errors/error-codes.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatOutcome, RequestContext } from '../../request/request-context.js';
import type { AttemptOptions } from '../../request/model-caller.js';
import { failureLabel } from '../failure-label.js';
import { currentNeeds } from '../../request/fit-check.js';
import type { RouteNode, RouteRuntime } from '../route-node.js';
import type { HedgeSpec, RetrySpec, TimeoutSpec } from '../route-schema.js';
import { attemptDeadline } from '../resilience/attempt-deadline.js';
import { onStreamEnd } from '../../request/stream-end.js';
import { discardOutcome, withFirstChunk } from '../resilience/first-chunk.js';
import { retryDelayMs } from '../resilience/retry-backoff.js';
import { deploymentKey } from './model-node.js';
import { DEPLOYMENT_LIMIT } from './deployment-limit.js';

/** How long a winning hedge waits for its aborted loser's bookkeeping before it answers anyway. */
const LOSER_SETTLE_MS = 1_000;

export interface TryInOrderOptions {
  route: string;
  /** "fallback" or "loadbalance", for the decision path. */
  label: string;
  retries: RetrySpec;
  timeouts: TimeoutSpec;
  hedge: HedgeSpec | undefined;
}

interface Ready {
  outcome: ChatOutcome;
  node: RouteNode;
}

/**
 * Tries candidates in order: retries a candidate on retryable failures (backoff with full jitter, honouring
 * Retry-After), then moves down the list. Streams are held until their first chunk, so a stream that fails
 * before its first byte reached the client still fails over. With `hedge`, a slow first token starts the
 * next candidate too and the faster one wins.
 */
export async function tryInOrder(context: RequestContext, runtime: RouteRuntime, nodes: readonly RouteNode[], options: TryInOrderOptions, attempt: AttemptOptions = {}): Promise<ChatOutcome> {
  const at = context.routeTrace.length;
  const failures: string[] = [];
  let lastError: unknown;
  for (let index = 0; index < nodes.length; index += 1) {
    const node = nodes[index];
    for (let retry = 0; retry < options.retries.attempts; retry += 1) {
      try {
        const hedgeNode = options.hedge && retry === 0 ? nodes[index + 1] : undefined;
        const ready = hedgeNode ? await hedged(context, runtime, node, hedgeNode, options, attempt) : { outcome: await startAttempt(context, runtime, node, options, attempt), node };
        const prefix = failures.length > 0 ? `${options.label}:${failures.join(',')}` : options.label;
        context.routeTrace.splice(at, 0, prefix);
        return ready.outcome;
      } catch (error) {
        lastError = error;
        if (!(error instanceof FrugalError) || !error.retryable) throw error;
        const last = retry + 1 >= options.retries.attempts;
        const delay = last ? undefined : retryDelayMs(retry, { baseMs: options.retries.base_ms, maxMs: options.retries.max_ms }, runtime.random, error.retryAfterSeconds);
        // Another try cannot help a candidate that is out of rotation, unfit, over its own RPM/TPM, or whose provider refused our credentials.
        if (delay === undefined || error.code === 'circuit_open' || error.code === 'not_supported' || error.upstreamCode === PROVIDER_CREDENTIALS_REJECTED || error.upstreamCode?.startsWith(DEPLOYMENT_LIMIT)) {
          failures.push(`${node.name}(fail:${failureLabel(error)})`);
          if (index + 1 < nodes.length) runtime.onEvent({ type: 'fallback', route: options.route, from: node.name, reason: failureLabel(error) });
          break;
        }
        await runtime.sleep(delay, context.signal);
      }
    }
  }
  if (lastError instanceof FrugalError) {
    // Keep the last upstream's status and code, and say what was tried.
    throw new FrugalError(lastError.code, `${lastError.message} (tried: ${failures.join(', ')})`, {
      status: lastError.status,
      type: lastError.type,
      retryable: lastError.retryable,
      retryAfterSeconds: lastError.retryAfterSeconds,
      upstreamCode: lastError.upstreamCode,
      upstreamFailure: lastError.upstreamFailure,
    });
  }
  throw lastError ?? new FrugalError('internal_error', `Route '${options.route}' has no candidates.`);
}

/**
 * One attempt with its own abort, total timeout and first-token deadline (counted from the attempt's start).
 * The total timeout keeps running while a stream is read, and is cleared when it ends.
 */
async function startAttempt(context: RequestContext, runtime: RouteRuntime, node: RouteNode, options: TryInOrderOptions, attempt: AttemptOptions, controller = new AbortController()): Promise<ChatOutcome> {
  // Our own work comes before the deadlines, which time the upstream: counting the prompt for fit checks (the
  // first time, loading the tokenizer: ~300 ms) once timed out a first attempt before it was even sent.
  if (attempt.fitCheck) currentNeeds(context);
  const deadline = attemptDeadline(controller, attempt.signal, options.timeouts);
  const mark = context.routeTrace.length;
  try {
    const outcome = await withFirstChunk(await node.run(context, runtime, { ...attempt, signal: controller.signal }), () => controller.abort());
    deadline.firstTokenArrived();
    if (outcome.kind !== 'stream') deadline.done();
    return outcome.kind === 'stream' ? { ...outcome, chunks: onStreamEnd(outcome.chunks, deadline.done) } : outcome;
  } catch (error) {
    deadline.done();
    context.routeTrace.length = mark;
    throw controller.signal.reason instanceof FrugalError ? controller.signal.reason : error;
  }
}

async function hedged(context: RequestContext, runtime: RouteRuntime, primary: RouteNode, backup: RouteNode, options: TryInOrderOptions, attempt: AttemptOptions): Promise<Ready> {
  const spec = options.hedge!;
  const primaryModel = primary.models()[0];
  const observedP95 = primaryModel ? runtime.latency.ttftP95(deploymentKey(primaryModel)) : undefined;
  const delay = spec.after === 'p95' ? (observedP95 ?? spec.fallback_ms) : spec.after;
  const controllers = [new AbortController(), new AbortController()];
  type Settled = { index: number; outcome?: ChatOutcome; error?: unknown };
  const settle = (index: number, node: RouteNode) =>
    startAttempt(context, runtime, node, options, attempt, controllers[index]).then(
      (outcome): Settled => ({ index, outcome }),
      (error): Settled => ({ index, error }),
    );
  const pending = new Map<number, Promise<Settled>>([[0, settle(0, primary)]]);
  let timer: NodeJS.Timeout | undefined;
  const hedgeStart = new Promise<'hedge'>((resolve) => (timer = setTimeout(() => resolve('hedge'), delay)));
  let first = await Promise.race([pending.get(0)!, hedgeStart]);
  clearTimeout(timer);
  if (first !== 'hedge') {
    if (first.error !== undefined) throw first.error;
    return { outcome: first.outcome!, node: primary };
  }
  pending.set(1, settle(1, backup));
  let lastError: unknown;
  while (pending.size > 0) {
    first = await Promise.race(pending.values());
    pending.delete(first.index);
    if (first.error !== undefined) {
      lastError = first.error;
      continue;
    }
    const winner = first.index === 0 ? primary : backup;
    runtime.onEvent({ type: 'hedge', route: options.route, primary: primary.name, hedge: backup.name, winner: winner.name });
    for (const [index, loser] of pending) {
      controllers[index].abort();
      // Waited for, so the loser's own bookkeeping — its real usage if it finished at the same moment, its prompt
      // (and what it streamed) if cut off, nothing if it was never sent — is in the spend, once, before the
      // winner's row can be written. An abort ends a call at once, so this costs the winner no real time; a loser
      // that somehow ignores it delays the winner by LOSER_SETTLE_MS at most (its bookkeeping then lands late).
      const closed = loser.then((settled) => (settled.outcome ? discardOutcome(settled.outcome).catch(() => undefined) : undefined));
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (bound = setTimeout(resolve, LOSER_SETTLE_MS)))]);
      clearTimeout(bound);
    }
    return { outcome: first.outcome!, node: winner };
  }
  throw lastError;
}
