import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { OtlpTraceSettings } from '../config/telemetry-settings.js';
import type { GenAiOperation, RequestTracer, TracedRequest } from '../telemetry/otel/request-tracer.js';

/** The inbound API calls that get a span, by route pattern; everything else (health, metrics, admin) gets none. */
const OPERATIONS: Readonly<Record<string, GenAiOperation>> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'chat',
  '/v1/messages': 'chat',
  '/v1/embeddings': 'embeddings',
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's span, when tracing is on and the route is an API call. */
    frugalTrace?: TracedRequest;
  }
}

type RouteHandler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown;
const WRAPPED = Symbol('frugal.traced');

function operationOf(url: string | undefined, aliasOf: string | undefined): GenAiOperation | undefined {
  return OPERATIONS[aliasOf ?? url ?? ''];
}

/**
 * A span per inbound API call, parented by the caller's `traceparent`. The OpenTelemetry SDK is loaded when the
 * server gets ready (about half a second of imports nobody pays with tracing off) and flushed when it closes.
 * The handler runs inside the span's scope, so the upstream attempts, routing events and ledger row published
 * while it runs land on this request. Install before any route is registered.
 *
 * @example
 * if (config.telemetry.otlp) traceRequests(app, config.telemetry.otlp);
 */
export function traceRequests(app: FastifyInstance, settings: OtlpTraceSettings): void {
  let tracer: RequestTracer | undefined;
  app.addHook('onReady', async () => {
    const { startOtelTracing } = await import('../telemetry/otel/otel-tracing.js');
    tracer = startOtelTracing(settings);
    app.log.info({ traces: settings.tracesUrl, from: settings.from, service: settings.serviceName }, 'OpenTelemetry traces on (OTLP http/protobuf)');
    for (const note of settings.notes) app.log.warn(note);
  });
  app.addHook('onClose', async () => {
    const stopping = tracer;
    tracer = undefined;
    await stopping?.shutdown();
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    if (operationOf(route.url, route.config?.unprefixedAliasOf) === undefined) return;
    const handler = route.handler as RouteHandler & { [WRAPPED]?: true };
    // The /v1-less alias copies an already wrapped route.
    if (handler[WRAPPED]) return;
    const traced: RouteHandler & { [WRAPPED]?: true } = function (this: FastifyInstance, request, reply) {
      const span = request.frugalTrace;
      if (span === undefined || tracer === undefined) return handler.call(this, request, reply);
      tracer.describe(span, request.body);
      return tracer.run(span, () => handler.call(this, request, reply));
    };
    traced[WRAPPED] = true;
    route.handler = traced as RouteOptions['handler'];
  });

  app.addHook('onRequest', async (request, reply) => {
    const current = tracer;
    if (current === undefined) return;
    const route = request.routeOptions.url;
    const operation = operationOf(route, request.routeOptions.config?.unprefixedAliasOf);
    if (operation === undefined || route === undefined) return;
    const span = current.start({ operation, method: request.method, route, headers: request.headers });
    request.frugalTrace = span;
    // 'close' comes for answered, failed, refused and hijacked (streamed) replies alike.
    // statusCode says 200 before anything is sent: only a response whose headers went out has a status.
    reply.raw.once('close', () => current.end(span, reply.raw.headersSent ? reply.raw.statusCode : undefined));
  });
}
