import type { ModelEntry } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk } from '../../wire/chat-types.js';
import type { ChatOutcome } from '../../request/request-context.js';
import { currentNeeds, unfitReason } from '../../request/fit-check.js';
import { tapStream } from '../../request/stream-end.js';
import type { RouteNode, RouteRuntime } from '../route-node.js';

/** The deployment key breakers and latency stats are kept under. */
export function deploymentKey(model: ModelEntry): string {
  return `${model.provider}/${model.upstream}`;
}

/**
 * Failures that say something about the deployment's health: the adapter flagged them as the upstream's
 * (server error, broken connection, garbage, timeout). Never an error raised on our side of the wire — a
 * request we could not serialise, a budget refusal, a cancelled hedge — however retryable it is.
 */
export function countsAgainstDeployment(error: unknown): boolean {
  return error instanceof FrugalError && error.upstreamFailure;
}

/** A leaf: one model behind its circuit breaker, with latency tracked for load balancing and hedging. */
export function modelNode(model: ModelEntry): RouteNode {
  const deployment = deploymentKey(model);
  return {
    name: model.name,
    models: () => [model],
    async run(context, runtime, attempt) {
      if (attempt?.fitCheck) {
        const reason = unfitReason(model, currentNeeds(context));
        if (reason) {
          runtime.onEvent({ type: 'skip', route: context.request.model, model: model.name, reason });
          throw new FrugalError('not_supported', `Model '${model.name}' cannot take this request (${reason}).`, { retryable: true, upstreamCode: `unfit:${reason}` });
        }
      }
      const breaker = runtime.breakers.get(deployment);
      if (!breaker.tryPass()) {
        throw new FrugalError('circuit_open', `Model '${model.name}' is out of rotation: its circuit is open after repeated upstream failures.`, { retryable: true });
      }
      // In half-open, the only call let through is the probe: only it may free the probe slot.
      const probe = breaker.state === 'half_open';
      runtime.latency.begin(deployment);
      const started = performance.now();
      let outcome: ChatOutcome;
      try {
        context.model = model;
        outcome = await runtime.callModel(context, model, attempt);
      } catch (error) {
        // Only an upstream failure counts. Anything else (a client that hung up, a request refused on our side or by
        // the upstream as invalid) says nothing about the deployment's health: it only frees a half-open probe.
        if (countsAgainstDeployment(error) && !context.signal.aborted) breaker.recordFailure();
        else breaker.release(probe);
        runtime.latency.end(deployment, undefined, undefined);
        throw error;
      }
      if (outcome.kind === 'response') {
        breaker.recordSuccess();
        runtime.latency.end(deployment, performance.now() - started, undefined);
        return outcome;
      }
      return { ...outcome, chunks: observed(outcome.chunks, deployment, started, runtime, context.signal, probe) };
    },
  };
}

/** The stream, timed (time to first chunk) and judged at its end for the deployment's breaker and latency. */
function observed(chunks: AsyncIterable<ChatChunk>, deployment: string, started: number, runtime: RouteRuntime, clientSignal: AbortSignal, probe: boolean): AsyncIterable<ChatChunk> {
  const breaker = runtime.breakers.get(deployment);
  let ttft: number | undefined;
  return tapStream(chunks, {
    each(chunk) {
      if (ttft === undefined) ttft = performance.now() - started;
      return chunk;
    },
    end({ completed, error }) {
      // A stream the reader stopped early (client gone, hedge lost) ends neutral, like any non-upstream error.
      if (clientSignal.aborted) breaker.release(probe);
      else if (completed) breaker.recordSuccess();
      else if (error !== undefined && countsAgainstDeployment(error)) breaker.recordFailure();
      else breaker.release(probe);
      runtime.latency.end(deployment, performance.now() - started, ttft);
    },
  });
}
