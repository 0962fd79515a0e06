import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import { extractPresentedKey } from '../keys/extract-presented-key.js';
import { secretsMatch } from '../keys/key-secret.js';
import { edgeServerOptions, installEdge } from './openai-edge.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The listener of its own that serves /metrics when server.metrics.port is set. */
    metricsListener?: FastifyInstance;
  }
}

interface MetricsRouteOptions {
  registry: Registry;
  /** The exposition text; default: the registry's. */
  render?: () => Promise<string>;
  token: string | undefined;
  /** Whether the listener is one clients reach while keys are required: then metrics are never open. */
  keysRequired: () => boolean;
}

/** The guard: the token when one is configured; closed without one while the gateway requires keys. */
function metricsGuard({ token, keysRequired }: MetricsRouteOptions) {
  return async (request: FastifyRequest) => {
    if (token === undefined) {
      if (!keysRequired()) return;
      throw new FrugalError(
        'permission_denied',
        'Metrics are closed while the gateway requires API keys. Set server.metrics.token (e.g. ${FRUGAL_METRICS_TOKEN}) and scrape with ' +
          'Authorization: Bearer <token>, or serve them on a listener of their own with server.metrics.port.',
      );
    }
    const presented = extractPresentedKey(request.headers);
    if (presented === undefined || !secretsMatch(token, presented)) {
      throw new FrugalError('invalid_api_key', 'Metrics need the metrics token: send Authorization: Bearer <server.metrics.token>.');
    }
  };
}

function registerMetricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  app.get('/metrics', { config: { access: 'metrics' }, onRequest: metricsGuard(options) }, async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.render ? options.render() : options.registry.metrics();
  });
}

/**
 * Serves Prometheus metrics on the main listener (guarded) or, with server.metrics.port, on a listener of its
 * own that starts when `app` is ready and closes with it. Model and key names never reach a label (the metrics
 * module bounds them); the guard keeps even the bounded set away from API clients.
 *
 * @example
 * serveMetrics(app, { registry, settings: config.server.metrics, keysRequired: () => authenticator.requiredNow(), ... });
 */
export function serveMetrics(
  app: FastifyInstance,
  {
    registry,
    render,
    settings,
    server,
    logger,
    keysRequired,
  }: { registry: Registry; render?: () => Promise<string>; settings: GatewayConfig['server']['metrics']; server: GatewayConfig['server']; logger: FastifyBaseLogger; keysRequired: () => boolean },
): void {
  if (settings.port === undefined) {
    registerMetricsRoute(app, { registry, render, token: settings.token, keysRequired });
    return;
  }
  const listener = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }), ...edgeServerOptions(server) });
  installEdge(listener);
  // Only the scraper reaches this listener (bind it to an internal address): the token is optional here.
  registerMetricsRoute(listener, { registry, render, token: settings.token, keysRequired: () => false });
  app.decorate('metricsListener', listener);
  const port = settings.port;
  app.addHook('onReady', async () => {
    const address = await listener.listen({ port, host: settings.host });
    logger.info({ address: `${address}/metrics` }, 'metrics listening');
  });
  app.addHook('onClose', async () => listener.close());
}
