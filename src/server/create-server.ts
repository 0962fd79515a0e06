import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Gateway } from '../pipeline/create-gateway.js';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { registerLimitedJsonParser } from './json-limits.js';
import { serveMetrics } from './metrics-endpoint.js';
import { edgeServerOptions, installEdge } from './openai-edge.js';
import { requireVirtualKeys } from './route-access.js';
import { registerChatRoute } from './routes/chat-route.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import type { KeyStore } from '../keys/key-store.js';
import type { KeyAuthenticator } from '../keys/key-cache.js';
import type { ReportQuery } from '../ledger/ledger-store.js';
import { registerEmbeddingsRoute } from './routes/embeddings-route.js';
import { registerModelsRoute } from './routes/models-route.js';

export interface ServerOptions {
  gateway: Gateway;
  logger: FastifyBaseLogger;
  /** Virtual keys: when any key is active, every route not declared public must present one. Without it the gateway is open. */
  keys?: { store: KeyStore; authenticator: KeyAuthenticator; masterKey: string | undefined };
  /** Ledger reports for GET /admin/spend. */
  spend?: (query: ReportQuery) => Promise<unknown>;
}

/** The HTTP edge: a thin layer over the gateway. Every error leaves through the one renderer. */
export function createServer({ gateway, logger, keys, spend }: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // Per-request log lines cost more than the rest of the edge; the ledger and metrics record requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: gateway.config.server.bodyLimitBytes,
    // Never let an internal id generator diverge from ours; ids come from requestIdOf.
    requestIdHeader: false,
    forceCloseConnections: 'idle',
    ...edgeServerOptions(gateway.config.server),
  });
  const metrics = createPrometheusMetrics(gateway.config);

  installEdge(app);
  registerLimitedJsonParser(app, { maxDepth: gateway.config.server.maxJsonDepth });

  if (keys) {
    requireVirtualKeys(app, keys.authenticator);
    registerAdminRoutes(app, { store: keys.store, authenticator: keys.authenticator, masterKey: keys.masterKey, spend });
  }
  registerChatRoute(app, gateway);
  registerEmbeddingsRoute(app, gateway);
  registerModelsRoute(app, gateway);
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok', demo_mode: gateway.config.demoMode, models: gateway.config.models.size }));
  serveMetrics(app, {
    registry: metrics.registry,
    settings: gateway.config.server.metrics,
    server: gateway.config.server,
    logger,
    keysRequired: () => keys?.authenticator.requiredNow() ?? false,
  });
  app.addHook('onClose', async () => metrics.close());
  return app;
}
