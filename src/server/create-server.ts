import type { Registry } from 'prom-client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Gateway } from '../pipeline/create-gateway.js';
import { lazyRequestLogger } from './lazy-request-logger.js';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { rememberCredentials } from '../errors/scrub-credentials.js';
import { registerLimitedJsonParser } from './json-limits.js';
import { serveMetrics } from './metrics-endpoint.js';
import { edgeServerOptions, installEdge } from './openai-edge.js';
import { registerCors } from './register-cors.js';
import { traceRequests } from './trace-requests.js';
import { requireVirtualKeys } from './route-access.js';
import { aliasUnprefixedRoutes } from './unprefixed-aliases.js';
import { registerChatRoute } from './routes/chat-route.js';
import { registerResponsesRoute } from './routes/responses-route.js';
import type { ResponseStore } from '../responses/response-store.js';
import { registerMessagesRoute } from './routes/messages-route.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import type { KeyStore } from '../keys/key-store.js';
import type { KeyAuthenticator } from '../keys/key-cache.js';
import type { ReportQuery } from '../ledger/ledger-store.js';
import { registerEmbeddingsRoute } from './routes/embeddings-route.js';
import { registerModelsRoute } from './routes/models-route.js';
import { registerReloadRoute, type ConfigReloader } from './routes/reload-route.js';
import { registerFeedbackRoute, type FeedbackService } from './routes/feedback-route.js';
import { registerDashboard, type DashboardOptions } from '../dashboard/register-dashboard.js';
import { registerFilesRoute } from './routes/files-route.js';
import { registerBatchesRoute } from './routes/batches-route.js';
import type { BatchService } from '../batches/batch-service.js';
import type { BatchStore } from '../batches/batch-store.js';

export interface ServerOptions {
  gateway: Gateway;
  logger: FastifyBaseLogger;
  /** Virtual keys: when any key is active, every route not declared public must present one. Without it the gateway is open. */
  keys?: { store: KeyStore; authenticator: KeyAuthenticator; masterKey: string | undefined };
  /** Ledger reports for GET /admin/spend. */
  spend?: (query: ReportQuery) => Promise<unknown>;
  /** Stored responses for /v1/responses; default: a bounded in-memory store. */
  responses?: ResponseStore;
  /** Live config (SIGHUP, server.watch_config, POST /admin/reload); `gateway` then follows each applied config. */
  reloader?: ConfigReloader;
  /** Scores for replies (POST /v1/feedback), in the ledger's database; without it the feedback routes answer not_supported. */
  feedback?: FeedbackService;
  /** The Files and Batches API (/v1/files, /v1/batches); without it those routes answer 404. */
  batches?: { service: BatchService; store: BatchStore };
  /** The dashboard (GET /dashboard, /admin/api/…): its data sources; without it neither is served. */
  dashboard?: Omit<DashboardOptions, 'masterKey' | 'authenticator' | 'demoMode'>;
  /**
   * What /metrics serves, given this server's own registry: a worker of `server.workers` answers with every worker's
   * metrics summed (cluster/cluster-metrics.ts). Default: this process's registry.
   */
  metrics?: (local: Registry) => () => Promise<string>;
}

/** The HTTP edge: a thin layer over the gateway. Every error leaves through the one renderer. */
export function createServer({ gateway, logger, keys, spend, responses, feedback, reloader, batches, dashboard, metrics: shareMetrics }: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // Fastify's two lines per request (with the raw URL) are replaced by one of ours: request-log.ts.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: gateway.config.server.bodyLimitBytes,
    // Ids come from genReqId (edgeServerOptions): request.id is x-request-id and the ledger row id.
    requestIdHeader: false,
    forceCloseConnections: 'idle',
    ...edgeServerOptions(gateway.config.server),
  });
  const metrics = createPrometheusMetrics(gateway.config);
  reloader?.onApplied((config) => metrics.relabel(config));

  installEdge(app);
  // A master key (or the metrics token, or the session secret) pasted where an id belongs never comes back in an
  // error message or a log line (errors/scrub-credentials.ts).
  rememberCredentials([keys?.masterKey, gateway.config.masterKey, gateway.config.server.metrics.token, gateway.config.dashboardSessionSecret]);
  // Before the routes (it wraps their handlers) and the key check (a refused call gets its span too).
  if (gateway.config.telemetry.otlp) traceRequests(app, gateway.config.telemetry.otlp);
  // Before the key check, so a refused browser request still carries its CORS headers.
  if (gateway.config.server.cors) registerCors(app, gateway.config.server.cors);
  // Before any route: every /v1 route registered from here on is also served without the prefix.
  aliasUnprefixedRoutes(app);
  registerLimitedJsonParser(app, { maxDepth: gateway.config.server.maxJsonDepth });

  if (keys) {
    requireVirtualKeys(app, keys.authenticator);
    registerAdminRoutes(app, { store: keys.store, authenticator: keys.authenticator, masterKey: keys.masterKey, spend });
  }
  registerChatRoute(app, gateway);
  registerResponsesRoute(app, gateway, { store: responses });
  registerMessagesRoute(app, gateway);
  registerEmbeddingsRoute(app, gateway);
  registerModelsRoute(app, gateway);
  if (reloader) registerReloadRoute(app, { reloader, masterKey: gateway.config.masterKey });
  registerFeedbackRoute(app, { feedback, keys });
  if (dashboard) {
    registerDashboard(app, { ...dashboard, masterKey: gateway.config.masterKey, sessionSecret: gateway.config.dashboardSessionSecret, authenticator: keys?.authenticator, demoMode: () => gateway.config.demoMode });
  }
  if (batches) {
    registerFilesRoute(app, { batches: batches.service, store: batches.store });
    registerBatchesRoute(app, batches.service);
  }
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok', demo_mode: gateway.config.demoMode, models: gateway.config.models.size }));
  serveMetrics(app, {
    registry: metrics.registry,
    render: shareMetrics?.(metrics.registry),
    settings: gateway.config.server.metrics,
    server: gateway.config.server,
    logger,
    keysRequired: () => keys?.authenticator.requiredNow() ?? false,
  });
  app.addHook('onClose', async () => metrics.close());
  return app;
}
