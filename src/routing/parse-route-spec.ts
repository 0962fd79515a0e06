import { configError } from '../config/resolve-config.js';
import { routeSchema, type RouteSpec } from './route-schema.js';

/** One route of `routes:` validated, or a config error naming the path of the fault ("routes.support.tiers[1]"). */
export function parseRouteSpec(name: string, raw: unknown): RouteSpec {
  const parsed = routeSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw configError(`routes.${name}${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}: ${issue.message}`);
}
