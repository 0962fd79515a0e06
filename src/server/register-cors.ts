import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { CorsSettings } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Read by @fastify/cors: false sends no CORS headers on this route. */
    cors?: false;
  }
}

/** The admin API and the dashboard's JSON: same-origin only (the path is canonical by now: openai-edge.ts). */
const isAdminPath = (url: string) => url === '/admin' || url.startsWith('/admin/');

/**
 * What a browser may send: the credentials and versions of both API shapes, Frugal's own request headers, and
 * what the official SDKs add on their own (x-stainless-*, openai-*), without which their preflight would fail.
 */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'x-api-key',
  'x-request-id',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'x-frugal-tags',
  'x-frugal-task',
  'x-frugal-cache',
  'x-frugal-max-cost-usd',
  'x-frugal-priority',
  'x-frugal-deadline',
  'x-stainless-arch',
  'x-stainless-helper',
  'x-stainless-helper-method',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-retry-count',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-timeout',
];

/** What a browser script may read: the request id (the SDKs' `_request_id`) and every x-frugal-* reply header. */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  'x-request-id',
  // Anthropic's SDK reads its request id from request-id.
  'request-id',
  'x-frugal-request-id',
  'x-frugal-model',
  'x-frugal-provider',
  'x-frugal-cost-usd',
  'x-frugal-route',
  'x-frugal-warnings',
  'x-frugal-cache',
  'x-frugal-compressed',
  'x-frugal-simulated',
  'x-frugal-lane',
  'x-frugal-service-tier',
  'retry-after',
  // OpenAI's rate-limit headers (rate-limit/rate-limit-headers.ts): a browser client pacing itself reads them.
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
];

/**
 * server.cors with @fastify/cors. Register it before the key check: a refusal then still carries the CORS headers
 * (the browser shows the 401 instead of an opaque network error), and the preflight is answered in the CORS hook
 * before any key is asked for — browsers never send credentials on a preflight.
 *
 * @example
 * if (config.server.cors) registerCors(app, config.server.cors); // after installEdge, before requireVirtualKeys
 */
export function registerCors(app: FastifyInstance, settings: CorsSettings): void {
  // The plugin's catch-all OPTIONS route only exists so that the router matches a preflight; it serves nothing.
  // /admin/… (the admin API, the dashboard's data and its session cookie) is never shared with another origin: the
  // dashboard is served from the gateway's own, and an origin trusted with virtual keys is not trusted with the
  // admin's session (with credentials: true a same-site origin would send that cookie and read every tenant's rows).
  app.addHook('onRoute', (route) => {
    if (route.method === 'OPTIONS' && route.url === '*') route.config = { ...route.config, access: 'public' };
    else if (isAdminPath(route.url)) route.config = { ...route.config, cors: false };
  });
  // Before the plugin's own hook: a preflight for an admin path is an unknown endpoint, as without server.cors.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS' && isAdminPath(request.url)) throw new FrugalError('not_found', `Unknown endpoint OPTIONS ${request.url.split('?')[0]}.`);
  });
  void app.register(fastifyCors, {
    origin: settings.origins === '*' ? '*' : [...settings.origins],
    credentials: settings.credentials,
    // Omitted, not undefined: the plugin would send `Access-Control-Max-Age: undefined`.
    ...(settings.maxAgeSeconds === undefined ? {} : { maxAge: settings.maxAgeSeconds }),
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    // An OPTIONS without Origin is no preflight; a 204 beats the plugin's text/plain 400 outside our error shape.
    strictPreflight: false,
  });
  // A hijacked reply (a stream) writes its own head from the raw response: give it the CORS headers too.
  app.addHook('preHandler', async (_request, reply) => {
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && (name.startsWith('access-control-') || name === 'vary')) reply.raw.setHeader(name, value);
    }
  });
}
