import { promptPrefix, rendezvousOrder } from '../prefix-affinity.js';
import type { RouteNode, RouteRuntime } from '../route-node.js';
import type { RequestContext } from '../../pipeline/request-context.js';
import { requestNeeds } from '../fit-check.js';
import type { HedgeSpec, RetrySpec, TimeoutSpec } from '../route-schema.js';
import { deploymentKey } from './model-node.js';
import { tryInOrder } from './try-in-order.js';

export type BalancePolicy = 'weighted' | 'least_in_flight' | 'lowest_latency';

export interface Deployment {
  node: RouteNode;
  weight: number;
  /** Requests- and tokens-per-minute budgets of this deployment; a deployment at a limit is tried last. */
  rpm: number | undefined;
  tpm: number | undefined;
}

export interface LoadBalanceOptions {
  route: string;
  policy: BalancePolicy;
  deployments: readonly Deployment[];
  retries: RetrySpec;
  timeouts: TimeoutSpec;
  hedge: HedgeSpec | undefined;
  /** Requests whose prompt shares its first `chars` characters go to the same deployment (self-hosted prefix caches). */
  prefixAffinity: { chars: number } | undefined;
}

/**
 * Orders the deployments of one model for this request — the pick first, the rest as fallbacks — skipping
 * deployments whose circuit is open and putting those at their RPM limit last.
 */
export function orderDeployments(
  deployments: readonly Deployment[],
  policy: BalancePolicy,
  runtime: Pick<RouteRuntime, 'breakers' | 'latency' | 'random'>,
  atLimit: (deployment: Deployment) => boolean,
  prefix?: string,
): Deployment[] {
  const keyOf = (deployment: Deployment) => deploymentKey(deployment.node.models()[0]);
  const usable = deployments.filter((deployment) => runtime.breakers.get(keyOf(deployment)).isAvailable());
  const open = deployments.filter((deployment) => !usable.includes(deployment));
  let ordered: Deployment[];
  if (prefix !== undefined) {
    ordered = rendezvousOrder(usable, keyOf, prefix);
  } else if (policy === 'least_in_flight') {
    ordered = [...usable].sort((a, b) => runtime.latency.inFlight(keyOf(a)) / a.weight - runtime.latency.inFlight(keyOf(b)) / b.weight);
  } else if (policy === 'lowest_latency') {
    // Unmeasured deployments go first so every deployment gets measured.
    ordered = [...usable].sort((a, b) => (runtime.latency.ewmaMs(keyOf(a)) ?? -1) - (runtime.latency.ewmaMs(keyOf(b)) ?? -1));
  } else {
    ordered = weightedOrder(usable, runtime.random);
  }
  const withinLimit = ordered.filter((deployment) => !atLimit(deployment));
  const limited = ordered.filter((deployment) => atLimit(deployment));
  // Open circuits come last: tried only when everything else failed (the breaker may allow a probe by then).
  return [...withinLimit, ...limited, ...open];
}

/** Weighted random order without replacement: each pick proportional to weight among those left. */
export function weightedOrder<T extends { weight: number }>(items: readonly T[], random: () => number): T[] {
  const left = [...items];
  const result: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, item) => sum + item.weight, 0);
    let point = random() * total;
    let index = 0;
    while (index < left.length - 1 && point >= left[index].weight) {
      point -= left[index].weight;
      index += 1;
    }
    result.push(left.splice(index, 1)[0]);
  }
  return result;
}

const MINUTE_MS = 60_000;

/** Several deployments of one model (regions, a self-hosted pair): weighted, least-in-flight or lowest-latency. */
export function loadBalanceRoute(options: LoadBalanceOptions, now: () => number = Date.now): RouteNode {
  // Sliding one-minute log per deployment of (time, estimated tokens), for RPM/TPM limits (local to this instance).
  const recent = new Map<Deployment, Array<{ at: number; tokens: number }>>();
  const logOf = (deployment: Deployment) => {
    const log = recent.get(deployment) ?? [];
    const cutoff = now() - MINUTE_MS;
    while (log.length > 0 && log[0].at <= cutoff) log.shift();
    recent.set(deployment, log);
    return log;
  };
  const limited = (deployment: Deployment) => deployment.rpm !== undefined || deployment.tpm !== undefined;
  return {
    name: options.route,
    models: () => options.deployments.flatMap((deployment) => deployment.node.models()),
    run(context, runtime, attempt) {
      const tokens = options.deployments.some((deployment) => deployment.tpm !== undefined) ? estimatedTokens(context) : 0;
      const atLimit = (deployment: Deployment) => {
        if (!limited(deployment)) return false;
        const log = logOf(deployment);
        if (deployment.rpm !== undefined && log.length >= deployment.rpm) return true;
        return deployment.tpm !== undefined && log.reduce((sum, entry) => sum + entry.tokens, 0) + tokens > deployment.tpm;
      };
      const prefix = options.prefixAffinity ? promptPrefix(context.request.messages, options.prefixAffinity.chars) : undefined;
      const ordered = orderDeployments(options.deployments, options.policy, runtime, atLimit, prefix);
      const first = ordered[0];
      if (first && limited(first)) logOf(first).push({ at: now(), tokens });
      return tryInOrder(
        context,
        runtime,
        ordered.map((deployment) => deployment.node),
        { route: options.route, label: prefix === undefined ? `loadbalance:${options.policy}` : 'loadbalance:prefix', retries: options.retries, timeouts: options.timeouts, hedge: options.hedge },
        attempt,
      );
    },
  };
}

/** Prompt tokens (counted once per request) plus the output the request allows. */
function estimatedTokens(context: RequestContext): number {
  context.needs ??= requestNeeds(context.request);
  return context.needs.promptTokens + (context.needs.maxOutputTokens || 0);
}
