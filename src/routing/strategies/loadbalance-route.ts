import { promptPrefix, rendezvousOrder } from '../prefix-affinity.js';
import type { RouteNode, RouteRuntime } from '../route-node.js';
import type { RequestContext } from '../../request/request-context.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import { requestNeeds } from '../../request/fit-check.js';
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
 * Orders the deployments of one model for this request by policy — the pick first, the rest as fallbacks — with
 * deployments whose circuit is open last. RPM/TPM limits are applied after, by withinLimitsFirst.
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

const MINUTE_MS = 60_000;

/** Several deployments of one model (regions, a self-hosted pair): weighted, least-in-flight or lowest-latency. */
export function loadBalanceRoute(options: LoadBalanceOptions): RouteNode {
  const limited = (deployment: Deployment) => deployment.rpm !== undefined || deployment.tpm !== undefined;
  const anyTpm = options.deployments.some((deployment) => deployment.tpm !== undefined);
  return {
    name: options.route,
    models: () => options.deployments.flatMap((deployment) => deployment.node.models()),
    async run(context, runtime, attempt) {
      const prefix = options.prefixAffinity ? promptPrefix(context.request.messages, options.prefixAffinity.chars) : undefined;
      let ordered = orderDeployments(options.deployments, options.policy, runtime, prefix);
      // A background request takes its share of the deployment's limits in the lane gate, per attempt and only
      // when it is really sent (src/lanes/background-share.ts); charging here too would count it twice.
      if (ordered.some(limited) && context.lane === undefined) ordered = await withinLimitsFirst(ordered, runtime.limiter, anyTpm ? estimatedTokens(context) : 0);
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

/**
 * Takes this request's share of the first deployment (in policy order) whose RPM and TPM allow it, and puts the
 * deployments at a limit last. The limiter is the gateway's (Redis with `spend_control.backend: redis`), so
 * several instances share each deployment's limits.
 */
async function withinLimitsFirst(ordered: Deployment[], limiter: RateLimiter, tokens: number): Promise<Deployment[]> {
  const refused: Deployment[] = [];
  for (let index = 0; index < ordered.length; index += 1) {
    const deployment = ordered[index];
    if (await takeShare(deployment, limiter, tokens)) {
      return [deployment, ...ordered.slice(0, index).filter((other) => !refused.includes(other)), ...ordered.slice(index + 1), ...refused];
    }
    refused.push(deployment);
  }
  return ordered;
}

async function takeShare(deployment: Deployment, limiter: RateLimiter, tokens: number): Promise<boolean> {
  const key = deploymentKey(deployment.node.models()[0]);
  const rpm = deployment.rpm === undefined ? undefined : { limit: deployment.rpm, periodMs: MINUTE_MS };
  if (rpm && !(await limiter.take(`rpm:deployment:${key}`, rpm)).allowed) return false;
  if (deployment.tpm !== undefined && tokens > 0 && !(await limiter.take(`tpm:deployment:${key}`, { limit: deployment.tpm, periodMs: MINUTE_MS }, tokens)).allowed) {
    if (rpm) await limiter.adjust(`rpm:deployment:${key}`, rpm, -1);
    return false;
  }
  return true;
}

/** Prompt tokens (counted once per request) plus the output the request allows. */
function estimatedTokens(context: RequestContext): number {
  context.needs ??= requestNeeds(context.request);
  return context.needs.promptTokens + (context.needs.maxOutputTokens || 0);
}
