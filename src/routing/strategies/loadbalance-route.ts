import { promptPrefix, rendezvousOrder } from '../prefix-affinity.js';
import type { RouteNode, RouteRuntime } from '../route-node.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { HedgeSpec, RetrySpec, TimeoutSpec } from '../route-schema.js';
import { deploymentKey } from './model-node.js';
import { tryInOrder } from './try-in-order.js';
import { DEPLOYMENT_LIMIT, limitedNode } from './deployment-limit.js';

export type BalancePolicy = 'weighted' | 'least_in_flight' | 'lowest_latency';

export interface Deployment {
  node: RouteNode;
  weight: number;
  /** Requests- and tokens-per-minute limits of this deployment; a deployment over one is skipped (deployment-limit.ts). */
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
  /** Output tokens a request without max_tokens is assumed to use, for TPM (spend_control.default_max_tokens). */
  defaultMaxTokens: number;
}

/**
 * Orders the deployments of one model for this request by policy — the pick first, the rest as fallbacks — with
 * deployments whose circuit is open last. RPM/TPM limits are applied per attempt, by limitedNode.
 */
export function orderDeployments(
  deployments: readonly Deployment[],
  policy: BalancePolicy,
  runtime: Pick<RouteRuntime, 'breakers' | 'latency' | 'random'>,
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
  // Open circuits come last: tried only when everything else failed (the breaker may allow a probe by then).
  return [...ordered, ...open];
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

/** Several deployments of one model (regions, a self-hosted pair): weighted, least-in-flight or lowest-latency. */
export function loadBalanceRoute(options: LoadBalanceOptions): RouteNode {
  const limited = (deployment: Deployment) => deployment.rpm !== undefined || deployment.tpm !== undefined;
  const anyLimited = options.deployments.some(limited);
  return {
    name: options.route,
    models: () => options.deployments.flatMap((deployment) => deployment.node.models()),
    async run(context, runtime, attempt) {
      const prefix = options.prefixAffinity ? promptPrefix(context.request.messages, options.prefixAffinity.chars) : undefined;
      const ordered = orderDeployments(options.deployments, options.policy, runtime, prefix);
      const tryOptions = { route: options.route, label: prefix === undefined ? `loadbalance:${options.policy}` : 'loadbalance:prefix', retries: options.retries, timeouts: options.timeouts, hedge: options.hedge };
      // A background request takes its share of the deployment's limits in the lane gate, per attempt and only
      // when it is really sent (src/lanes/background-share.ts); charging here too would count it twice.
      if (!anyLimited || context.lane !== undefined) return tryInOrder(context, runtime, ordered.map((deployment) => deployment.node), tryOptions, attempt);
      const waits: Array<number | undefined> = [];
      const nodes = ordered.map((deployment) => (limited(deployment) ? limitedNode(deployment, runtime.limiter, options.defaultMaxTokens, (ms) => waits.push(ms)) : deployment.node));
      try {
        return await tryInOrder(context, runtime, nodes, tryOptions, attempt);
      } catch (error) {
        throw everyDeploymentAtLimit(error, waits);
      }
    },
  };
}

/**
 * When the last candidate was skipped for its limit, the 429's Retry-After is the soonest any refused deployment
 * frees up (not the last one's); none when no wait can help.
 */
function everyDeploymentAtLimit(error: unknown, waits: ReadonlyArray<number | undefined>): unknown {
  if (!(error instanceof FrugalError) || !error.upstreamCode?.startsWith(DEPLOYMENT_LIMIT)) return error;
  const known = waits.filter((ms): ms is number => ms !== undefined);
  const soonest = known.length > 0 ? Math.max(1, Math.ceil(Math.min(...known) / 1000)) : undefined;
  return new FrugalError(error.code, error.message, { status: error.status, type: error.type, retryable: error.retryable, retryAfterSeconds: soonest, upstreamCode: error.upstreamCode });
}
