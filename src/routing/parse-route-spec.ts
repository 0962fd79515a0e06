import { configError } from '../config/resolve-config.js';
import { describeRouteIssue } from './describe-route-issue.js';
import { routeSchema, type RouteSpec } from './route-schema.js';

/**
 * One route of `routes:` validated, or a config error naming the path of the fault, what was given and what is
 * expected (`routes.support.tiers: got a list of 1; expected a list of model or route names, at least 2`).
 */
export function parseRouteSpec(name: string, raw: unknown): RouteSpec {
  const parsed = routeSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw configError(describeRouteIssue(name, raw, parsed.error.issues[0]));
}
