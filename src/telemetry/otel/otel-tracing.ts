import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_RESPONSE_FINISH_REASONS } from '@opentelemetry/semantic-conventions/incubating';
import type { OtlpTraceSettings } from '../../config/telemetry-settings.js';
import type { RequestFinishedEvent, RouteDecisionEvent } from '../events.js';
import { channels } from '../events.js';
import type { RoutingEvent } from '../../routing/route-node.js';
import type { UpstreamAttemptEvent } from '../upstream-attempt-event.js';
import { attemptEndAttributes, attemptStartAttributes, errorType, requestBodyAttributes, routeDecisionOf, routingEventOf, rowAttributes } from './genai-attributes.js';
import type { InboundRequest, RequestTracer, TracedRequest } from './request-tracer.js';

interface RequestState extends TracedRequest {
  readonly span: Span;
  /** What the last successful attempt stopped for: the request's own finish reasons. */
  finishReasons: string[] | undefined;
  errorType: string | undefined;
}

/** What is current while a request runs: its span, and inside an upstream call, that attempt's span. */
interface Scope {
  request: RequestState;
  attempt: Span | undefined;
}

// undici announces every request it creates here; a subscriber may add headers before it is sent.
const UNDICI_REQUEST_CREATE = 'undici:request:create';

interface UndiciRequestCreate {
  request: { addHeader(name: string, value: string): unknown };
}

/**
 * Spans for inbound API calls (SERVER) and upstream attempts (CLIENT), exported over OTLP/HTTP protobuf.
 * Everything comes from Frugal's named events and undici's own channel; no pipeline stage knows about it.
 * Nothing global is registered (no global tracer provider, context manager or propagator), so an application
 * embedding Frugal keeps its own OpenTelemetry setup.
 */
export function startOtelTracing(settings: OtlpTraceSettings): RequestTracer {
  const exporter = new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers });
  const processor = new BatchSpanProcessor(exporter, settings.scheduleDelayMs === undefined ? {} : { scheduledDelayMillis: settings.scheduleDelayMs });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...settings.resourceAttributes, [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('frugal');
  const propagator = new W3CTraceContextPropagator();
  const scopes = new AsyncLocalStorage<Scope>();
  const attempts = new WeakMap<UpstreamAttemptEvent, Span>();

  // Runs when an upstream call starts, before it runs: the attempt's span becomes current for the call.
  channels.upstreamAttemptStart.bindStore(scopes, (message) => {
    const scope = scopes.getStore();
    // Not inside a traced request (a library caller, another server in this process): no span.
    if (scope === undefined) return scope;
    const event = message as UpstreamAttemptEvent;
    const span = tracer.startSpan(
      `chat ${event.upstreamModel}`,
      { kind: SpanKind.CLIENT, attributes: attemptStartAttributes(event) },
      trace.setSpan(ROOT_CONTEXT, scope.request.span),
    );
    attempts.set(event, span);
    return { request: scope.request, attempt: span };
  });

  const onAttemptEnd = (message: unknown) => {
    const event = message as UpstreamAttemptEvent;
    const span = attempts.get(event);
    if (span === undefined) return;
    attempts.delete(event);
    span.setAttributes(attemptEndAttributes(event));
    if (event.error !== undefined && !event.cancelled) span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(event.error) });
    if (event.error === undefined && !event.cancelled) {
      const request = scopes.getStore()?.request;
      if (request) request.finishReasons = Array.from(event.finishReasons, (reason) => reason ?? 'none');
    }
    span.end();
  };
  const onRoutingEvent = (message: unknown) => {
    const { name, attributes } = routingEventOf(message as RoutingEvent);
    scopes.getStore()?.request.span.addEvent(name, attributes);
  };
  const onDecision = (message: unknown) => {
    const { name, attributes } = routeDecisionOf(message as RouteDecisionEvent);
    scopes.getStore()?.request.span.addEvent(name, attributes);
  };
  const onFinished = (message: unknown) => {
    const request = scopes.getStore()?.request;
    if (request === undefined) return;
    const { row } = message as RequestFinishedEvent;
    request.span.setAttributes(rowAttributes(row));
    if (row.errorCode !== null) request.errorType = row.errorCode;
  };
  // The upstream joins the trace: the attempt (or, for calls outside one, the request) is the parent it sees.
  const onUpstreamRequest = (message: unknown) => {
    const scope = scopes.getStore();
    if (scope === undefined) return;
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, scope.attempt ?? scope.request.span), carrier, defaultTextMapSetter);
    const { request } = message as UndiciRequestCreate;
    for (const [name, value] of Object.entries(carrier)) request.addHeader(name, value);
  };

  const subscriptions: Array<[diagnosticsChannel.Channel, (message: unknown) => void]> = [
    [channels.upstreamAttemptEnd, onAttemptEnd],
    [channels.routingEvent, onRoutingEvent],
    [channels.routeDecision, onDecision],
    [channels.requestFinished, onFinished],
    [diagnosticsChannel.channel(UNDICI_REQUEST_CREATE), onUpstreamRequest],
  ];
  for (const [channel, handler] of subscriptions) channel.subscribe(handler);

  return {
    start(inbound: InboundRequest): RequestState {
      const parent = propagator.extract(ROOT_CONTEXT, inbound.headers, defaultTextMapGetter);
      const span = tracer.startSpan(
        inbound.operation,
        {
          kind: SpanKind.SERVER,
          attributes: { [ATTR_GEN_AI_OPERATION_NAME]: inbound.operation, [ATTR_HTTP_REQUEST_METHOD]: inbound.method, [ATTR_HTTP_ROUTE]: inbound.route },
        },
        parent,
      );
      return { operation: inbound.operation, span, finishReasons: undefined, errorType: undefined };
    },
    run(traced, handler) {
      return scopes.run({ request: traced as RequestState, attempt: undefined }, handler);
    },
    describe(traced, body) {
      const { span, operation } = traced as RequestState;
      const attributes = requestBodyAttributes(body);
      span.setAttributes(attributes);
      const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
      if (typeof model === 'string') span.updateName(`${operation} ${model}`);
    },
    end(traced, httpStatus) {
      const request = traced as RequestState;
      const { span } = request;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, httpStatus);
      if (request.finishReasons !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, request.finishReasons);
      // A server span is an error when the server failed (5xx); a refused request (4xx) is the caller's.
      if (httpStatus >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: request.errorType ?? String(httpStatus) });
      if (httpStatus >= 400 && request.errorType === undefined) span.setAttribute(ATTR_ERROR_TYPE, String(httpStatus));
      span.end();
    },
    async shutdown() {
      for (const [channel, handler] of subscriptions) channel.unsubscribe(handler);
      channels.upstreamAttemptStart.unbindStore(scopes);
      await provider.shutdown();
    },
  };
}
