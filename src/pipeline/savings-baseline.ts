import type { Price } from '../catalog/pricing.js';
import type { GatewayConfig } from '../config/gateway-config.js';

export interface SavingsBaseline {
  /** What the request is measured against; undefined: nothing to measure against (no saving is credited). */
  baseline: Price | undefined;
  /** The configured baseline, when the caller named a model: their own choice is shown apart from savings. */
  reference: Price | undefined;
}

/**
 * The baseline each request's savings are measured against, by the name the caller sent: a route is measured
 * against its own `baseline_model` (else `savings.baseline_model`); a model named directly is measured against
 * itself, so choosing a cheap model is never booked as Frugal's saving.
 *
 * @example
 * const baselineOf = savingsBaselines(config);
 * baselineOf('gpt-4o-mini'); // { baseline: gpt-4o-mini's price, reference: gpt-4o's }
 */
export function savingsBaselines(config: Pick<GatewayConfig, 'models' | 'routes' | 'savingsBaseline' | 'routeBaselines'>): (requested: string) => SavingsBaseline {
  const global = config.savingsBaseline?.price;
  return (requested) => {
    const model = Object.hasOwn(config.routes, requested) ? undefined : config.models.get(requested);
    if (model !== undefined) return { baseline: model.price, reference: global };
    return { baseline: config.routeBaselines.get(requested)?.price ?? global, reference: undefined };
  };
}
