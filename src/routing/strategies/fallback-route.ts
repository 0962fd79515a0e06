import type { RouteNode } from '../route-node.js';
import type { HedgeSpec, RetrySpec, TimeoutSpec } from '../route-schema.js';
import { tryInOrder } from './try-in-order.js';

export interface FallbackOptions {
  route: string;
  chain: readonly RouteNode[];
  retries: RetrySpec;
  timeouts: TimeoutSpec;
  hedge: HedgeSpec | undefined;
}

/** Down the chain on 429, 5xx, connection errors and timeouts; a bad request fails at once. */
export function fallbackRoute(options: FallbackOptions): RouteNode {
  return {
    name: options.route,
    models: () => options.chain.flatMap((node) => node.models()),
    run(context, runtime, attempt) {
      return tryInOrder(context, runtime, options.chain, { route: options.route, label: 'fallback', retries: options.retries, timeouts: options.timeouts, hedge: options.hedge }, attempt);
    },
  };
}
