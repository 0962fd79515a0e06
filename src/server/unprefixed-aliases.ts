import type { FastifyInstance, RouteOptions } from 'fastify';

const PREFIX = '/v1';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on the copy of a /v1 route served without the prefix. */
    unprefixedAliasOf?: string;
  }
}

/**
 * Serves every `/v1/...` API route also without the prefix (`/chat/completions`, `/models`, ...): clients whose
 * base URL lacks `/v1` reach the same handler, hooks and access rule (the copy carries the route's config, so
 * route-access.ts decides on it exactly as on the original). /admin, /healthz and /metrics have no /v1 prefix and
 * so no alias. Install before any route is registered; routes must be registered with their full path.
 *
 * @example
 * aliasUnprefixedRoutes(app);
 * app.post('/v1/embeddings', handler); // also serves POST /embeddings
 */
export function aliasUnprefixedRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', function (route: RouteOptions) {
    // HEAD twins of GET routes are added by Fastify itself, for the alias as for the original.
    if (route.method === 'HEAD' || !route.url.startsWith(`${PREFIX}/`)) return;
    const alias = route.url.slice(PREFIX.length);
    this.route({ ...route, url: alias, path: alias, config: { ...route.config, unprefixedAliasOf: route.url } } as RouteOptions);
  });
}
