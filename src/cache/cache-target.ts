import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config/gateway-config.js';
import { canonicalJson } from './exact/canonical-json.js';

/** A route's spec as configured (or built, for the default `auto` route); undefined when the name is no route. */
export type RouteSpecOf = (name: string) => unknown;

/**
 * What answers a requested model or route name, as a SHA-256 (hex) that goes into every cache key: the model's
 * provider, upstream id and the provider's kind and base URL; for a route, its spec and the same for every model
 * and route it names, followed down. A config reload that points a name at another upstream, or changes a route,
 * gives new keys, so an answer is never served in the name of a model that did not give it — while a reload that
 * changes nothing about the name (a price, a budget, another route) keeps its entries. Credentials and headers
 * are left out: they do not change the answer, and a key must not depend on a secret.
 *
 * @example
 * const target = cacheTarget(config, 'support', (name) => config.routes[name]);
 */
export function cacheTarget(config: GatewayConfig, name: string, routeSpecOf: RouteSpecOf): string {
  const models = new Map<string, unknown>();
  const routes = new Map<string, unknown>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const model = config.models.get(value);
      if (model !== undefined) {
        if (models.has(value)) return;
        const provider = config.providers.get(model.provider);
        models.set(value, { provider: model.provider, upstream: model.upstream, kind: provider?.kind ?? null, baseUrl: provider?.baseUrl ?? null });
        return;
      }
      if (routes.has(value)) return;
      const spec = routeSpecOf(value);
      if (spec === undefined) return;
      routes.set(value, spec);
      visit(spec);
      return;
    }
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value !== null && typeof value === 'object') for (const [field, item] of Object.entries(value)) {
      // A strategy map's keys (task names, `models:` weights) may be model names too.
      visit(field);
      visit(item);
    }
  };
  visit(name);
  const sorted = (entries: Map<string, unknown>) => Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(canonicalJson({ name, models: sorted(models), routes: sorted(routes) })).digest('hex');
}
