import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { FrugalError } from '../errors/frugal-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { Gateway } from '../pipeline/create-gateway.js';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { fromFastifyError } from './fastify-error.js';
import { registerChatRoute } from './routes/chat-route.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import type { KeyStore } from '../keys/key-store.js';
import { extractPresentedKey, type KeyAuthenticator } from '../keys/key-cache.js';
import type { ReportQuery } from '../ledger/ledger-store.js';
import { registerEmbeddingsRoute } from './routes/embeddings-route.js';
import { registerModelsRoute } from './routes/models-route.js';

export interface ServerOptions {
  gateway: Gateway;
  logger: FastifyBaseLogger;
  /** Virtual keys: when any key is active, every /v1 call must present one. Without it the gateway is open. */
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
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const metrics = createPrometheusMetrics();

  app.setErrorHandler((error, request, reply) => {
    const mapped = fromFastifyError(error);
    const rendered = toOpenAIError(mapped);
    if (rendered.status >= 500 && !(mapped instanceof FrugalError && mapped.code.startsWith('upstream_'))) {
      // The route pattern, not the URL: a URL may carry a pasted key (/admin/keys/<plaintext>/revoke).
      request.log.error({ err: error, route: request.routeOptions?.url ?? 'unknown', method: request.method }, 'request failed');
    }
    void reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const rendered = toOpenAIError(new FrugalError('not_found', `Unknown endpoint ${request.method} ${request.url.split('?')[0]}.`));
    void reply.code(rendered.status).send(rendered.body);
  });

  if (keys) {
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/v1/') || !keys.authenticator.requiredNow()) return;
      const presented = extractPresentedKey(request.headers);
      const key = presented === undefined ? undefined : await keys.authenticator.authenticate(presented);
      if (!key) {
        throw new FrugalError('invalid_api_key', presented === undefined ? 'This gateway needs an API key: send Authorization: Bearer <virtual key>.' : 'The API key is unknown, revoked or expired.');
      }
      request.frugalKey = key;
    });
    registerAdminRoutes(app, { store: keys.store, authenticator: keys.authenticator, masterKey: keys.masterKey, spend });
  }
  registerChatRoute(app, gateway);
  registerEmbeddingsRoute(app, gateway);
  registerModelsRoute(app, gateway);
  app.get('/healthz', async () => ({ status: 'ok', demo_mode: gateway.config.demoMode, models: gateway.config.models.size }));
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.addHook('onClose', async () => metrics.close());
  return app;
}
