import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import { buildRouteTable } from '../../routing/build-route-table.js';
import { CircuitBreakers } from '../../routing/resilience/circuit-breaker.js';
import { LatencyTracker } from '../../routing/resilience/latency-tracker.js';
import type { RouteRuntime } from '../../routing/route-node.js';
import { channels, publish } from '../../telemetry/events.js';
import type { Handler } from '../stage.js';
import type { ModelCaller } from '../../request/model-caller.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';

export interface RouteHandlerParts {
  config: GatewayConfig;
  callModel: ModelCaller;
  limiter: RateLimiter;
  random?: () => number;
  now?: () => number;
}

/**
 * The last stage: a request's `model` names a route (map, classify, cascade, fallback, loadbalance) or a
 * model. Either way the decision path ends with the model that served, for the x-frugal-route header and the ledger.
 */
export function createRouteHandler(parts: RouteHandlerParts): { handle: Handler; runtime: RouteRuntime } {
  const now = parts.now ?? Date.now;
  const table = buildRouteTable(parts.config);
  const runtime: RouteRuntime = {
    callModel: parts.callModel,
    breakers: new CircuitBreakers(parts.config.circuitBreaker, now, (deployment, state) => publish(channels.circuitState, { deployment, state })),
    latency: new LatencyTracker(),
    limiter: parts.limiter,
    random: parts.random ?? Math.random,
    sleep: async (ms, signal) => {
      try {
        await sleep(ms, undefined, { signal });
      } catch {
        throw new FrugalError('upstream_timeout', 'The request was cancelled while waiting to retry.');
      }
    },
    onEvent: (event) => publish(channels.routingEvent, event),
  };
  const names = [...table.routes.keys(), ...table.models.keys()].sort();
  const everything = names.join(', ');
  // A key restricted to some models is told only of those (as /v1/models lists only those): a list may name a
  // model the config no longer has, and the refusal must not reveal the ones it hides.
  const available = (allowed: readonly string[] | null | undefined) => (allowed == null ? everything : names.filter((entry) => allowed.includes(entry)).join(', ') || 'none');

  const handle: Handler = async (context) => {
    const name = context.request.model;
    const route = table.routes.get(name);
    const node = route ?? table.models.get(name);
    if (node === undefined) {
      throw new FrugalError('model_not_found', `The model '${name}' does not exist. Available models and routes: ${available(context.key?.allowedModels)}.`, { param: 'model' });
    }
    const outcome = await node.run(context, runtime);
    context.routeTrace.push(outcome.meta.model.name);
    if (route) {
      publish(channels.routeDecision, { route: name, task: context.task, model: outcome.meta.model.name, trace: context.routeTrace.join('>') });
    }
    return outcome;
  };
  return { handle, runtime };
}
