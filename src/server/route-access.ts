import type { FastifyInstance } from 'fastify';
import { FrugalError } from '../errors/frugal-error.js';
import { extractPresentedKey } from '../keys/extract-presented-key.js';
import type { KeyAuthenticator } from '../keys/key-cache.js';

/**
 * Who may call a route, declared where the route is registered (`config: { access }`):
 * - `key` (the default, also for a route that declares nothing): a virtual key whenever keys are required;
 * - `public`: anyone (health checks);
 * - `master`: the route guards itself with the master key (/admin);
 * - `metrics`: the route guards itself with the metrics token.
 */
export type RouteAccess = 'key' | 'public' | 'master' | 'metrics';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/**
 * Requires a virtual key on every matched route that does not declare another access. The decision reads the
 * route the router matched, never the URL: `/%761/chat/completions` routes to /v1/chat/completions and so
 * needs a key like it (issue 10, item 1). Unmatched paths serve nothing and fall through to the 404 reply.
 *
 * @example
 * requireVirtualKeys(app, authenticator); // before registering routes
 */
export function requireVirtualKeys(app: FastifyInstance, authenticator: KeyAuthenticator): void {
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? 'key';
    if (access !== 'key' || !authenticator.requiredNow()) return;
    const presented = extractPresentedKey(request.headers);
    if (presented !== undefined) {
      // From the authenticator's cache, which a revoke clears: a key revoked or rotated since is answered false.
      request.frugalKeyInForce = async () => (await authenticator.authenticate(presented)) !== undefined;
    }
    const key = presented === undefined ? undefined : await authenticator.authenticate(presented);
    if (!key) {
      throw new FrugalError('invalid_api_key', presented === undefined ? 'This gateway needs an API key: send Authorization: Bearer <virtual key> (or x-api-key: <virtual key>).' : 'The API key is unknown, revoked or expired.');
    }
    request.frugalKey = key;
  });
}
