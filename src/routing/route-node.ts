import type { ModelEntry } from '../config/gateway-config.js';
import type { ChatOutcome, RequestContext } from '../request/request-context.js';
import type { AttemptOptions, ModelCaller } from '../request/model-caller.js';
import type { CircuitBreakers } from './resilience/circuit-breaker.js';
import type { LatencyTracker } from './resilience/latency-tracker.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';

/** What every route node shares at run time. Randomness, clock and sleep are passed in so tests are exact. */
export interface RouteRuntime {
  callModel: ModelCaller;
  breakers: CircuitBreakers;
  latency: LatencyTracker;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Shared RPM/TPM state (per-deployment limits of load-balanced routes). */
  limiter: RateLimiter;
  /** Named routing events (escalations, fallbacks, hedges) for metrics. */
  onEvent: (event: RoutingEvent) => void;
}

export type RoutingEvent =
  | { type: 'escalation'; route: string; from: string; reason: string }
  | { type: 'fallback'; route: string; from: string; reason: string }
  | { type: 'hedge'; route: string; primary: string; hedge: string; winner: string }
  | { type: 'skip'; route: string; model: string; reason: string };

/**
 * A node of the route tree: a model, or a strategy over other nodes. `run` appends its part of the
 * decision path to `context.routeTrace` and returns the answer of the model that served.
 */
export interface RouteNode {
  readonly name: string;
  /** Concrete models this node may serve from (for fit checks and capability filters). */
  models(): ModelEntry[];
  run(context: RequestContext, runtime: RouteRuntime, attempt?: AttemptOptions): Promise<ChatOutcome>;
}
