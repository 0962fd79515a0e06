import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_RESPONSE_FINISH_REASONS } from '@opentelemetry/semantic-conventions/incubating';
import type { OtlpTraceSettings } from '../../config/telemetry-settings.js';
import type { RequestFinishedEvent, RouteDecisionEvent } from '../events.js';
import { channels } from '../events.js';
import type { RoutingEvent } from '../../routing/route-node.js';
import type { LedgerStatus } from '../../ledger/ledger-row.js';
import type { InternalRequestEvent } from '../internal-request-event.js';
import type { UpstreamAttemptEvent } from '../upstream-attempt-event.js';
import type { UpstreamPeer } from '../upstream-peer.js';
import {
  attemptEndAttributes,
  attemptStartAttributes,
  errorType,
  finishReasonsForCaller,
  FRUGAL,
  peerAttributes,
  requestBodyAttributes,
  routeDecisionOf,
  routingEventOf,
  rowAttributes,
} from './genai-attributes.js';
import type { InboundRequest, RequestTracer, TracedRequest } from './request-tracer.js';

interface RequestState extends TracedRequest {
  readonly span: Span;
  readonly route: string;
  /** What the last successful attempt stopped for: the request's own finish reasons. */
  finishReasons: string[] | undefined;
  /** Who answered: the peer of the last successful attempt. */
  servedBy: UpstreamPeer | undefined;
  errorType: string | undefined;
  /** The ledger row's verdict, once published. */
  outcome: LedgerStatus | undefined;
  /** Settles when the route's handler has: the ledger row is published by then, even when the client left early. */
  handled: Promise<void> | undefined;
}

interface AttemptState {
  readonly span: Span;
  readonly provider: string;
  peer: UpstreamPeer | undefined;
}

/** What is current while a request runs: its span, and inside an upstream call, that attempt. */
interface Scope {
  request: RequestState;
  attempt: AttemptState | undefined;
}

// A handler that never settles must not keep its span (and everything it references) forever.
const MAX_WAIT_FOR_HANDLER_MS = 30_000;

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
  const attempts = new WeakMap<UpstreamAttemptEvent, AttemptState>();
  // What each configured provider's adapter last said about itself: the attempt's provider name at span creation.
  const peers = new Map<string, UpstreamPeer>();

  // Runs when an upstream call starts, before it runs: the attempt's span becomes current for the call.
  channels.upstreamAttemptStart.bindStore(scopes, (message) => {
    const scope = scopes.getStore();
    // Not inside a traced request (a library caller, another server in this process): no span.
    if (scope === undefined) return scope;
    const event = message as UpstreamAttemptEvent;
    const peer = peers.get(event.provider);
    const span = tracer.startSpan(
      `${event.operation} ${event.upstreamModel}`,
      { kind: SpanKind.CLIENT, attributes: attemptStartAttributes(event, peer) },
      trace.setSpan(ROOT_CONTEXT, scope.request.span),
    );
    const attempt: AttemptState = { span, provider: event.provider, peer };
    attempts.set(event, attempt);
    return { request: scope.request, attempt };
  });

  // A batch line (internal-request-event.ts): a root span of its own, current for everything the line does.
  channels.internalRequestStart.bindStore(scopes, (message) => {
    const event = message as InternalRequestEvent;
    const span = tracer.startSpan(event.operation, {
      kind: SpanKind.INTERNAL,
      attributes: { [ATTR_GEN_AI_OPERATION_NAME]: event.operation, [FRUGAL.requestId]: event.requestId, [FRUGAL.batchId]: event.batchId },
    }, ROOT_CONTEXT);
    const request: RequestState = { operation: event.operation, route: event.operation === 'embeddings' ? '/v1/embeddings' : '/v1/chat/completions', span, finishReasons: undefined, servedBy: undefined, errorType: undefined, outcome: undefined, handled: undefined };
    describeSpan(request, event.body);
    return { request, attempt: undefined };
  });
  const onInternalEnd = () => {
    const request = scopes.getStore()?.request;
    if (request !== undefined) finish(request, undefined);
  };

  const onPeer = (message: unknown) => {
    const attempt = scopes.getStore()?.attempt;
    if (attempt === undefined) return;
    const peer = message as UpstreamPeer;
    attempt.peer = peer;
    peers.set(attempt.provider, peer);
    attempt.span.setAttributes(peerAttributes(peer));
  };
  const onAttemptEnd = (message: unknown) => {
    const event = message as UpstreamAttemptEvent;
    const attempt = attempts.get(event);
    if (attempt === undefined) return;
    attempts.delete(event);
    const { span } = attempt;
    span.setAttributes(attemptEndAttributes(event));
    if (event.error !== undefined && !event.cancelled) span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(event.error) });
    if (event.error === undefined && !event.cancelled) {
      const request = scopes.getStore()?.request;
      if (request) {
        request.finishReasons = Array.from(event.finishReasons, (reason) => reason ?? 'none');
        request.servedBy = attempt.peer;
      }
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
    // A cache hit called no one: the provider that answered first, as its adapter named itself.
    const servedBy = request.servedBy ?? (row.provider === null ? undefined : peers.get(row.provider));
    if (servedBy !== undefined) request.span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, servedBy.genAiProvider);
    if (row.errorCode !== null) request.errorType = row.errorCode;
    request.outcome = row.status;
  };
  // The upstream joins the trace: the attempt (or, for calls outside one, the request) is the parent it sees.
  const onUpstreamRequest = (message: unknown) => {
    const scope = scopes.getStore();
    if (scope === undefined) return;
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, scope.attempt?.span ?? scope.request.span), carrier, defaultTextMapSetter);
    const { request } = message as UndiciRequestCreate;
    for (const [name, value] of Object.entries(carrier)) request.addHeader(name, value);
  };

  const finished = new WeakSet<RequestState>();
  const waiting = new Set<RequestState>();

  const subscriptions: Array<[diagnosticsChannel.Channel, (message: unknown) => void]> = [
    [channels.upstreamAttemptEnd, onAttemptEnd],
    [channels.upstreamPeer, onPeer],
    [channels.internalRequestEnd, onInternalEnd],
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
      return { operation: inbound.operation, route: inbound.route, span, finishReasons: undefined, servedBy: undefined, errorType: undefined, outcome: undefined, handled: undefined };
    },
    run(traced, handler) {
      const request = traced as RequestState;
      const result = scopes.run({ request, attempt: undefined }, handler);
      if (result instanceof Promise) request.handled = result.then(noop, noop);
      return result;
    },
    describe(traced, body) {
      describeSpan(traced as RequestState, body);
    },
    end(traced, httpStatus) {
      const request = traced as RequestState;
      // A client that leaves closes the reply before the pipeline has written the request's ledger row: the span
      // waits for the handler, or it would end without the row's attributes (set after the end, they are dropped).
      if (request.handled === undefined) return finish(request, httpStatus);
      waiting.add(request);
      const timer = setTimeout(() => finish(request, httpStatus), MAX_WAIT_FOR_HANDLER_MS);
      timer.unref();
      void request.handled.then(() => {
        clearTimeout(timer);
        finish(request, httpStatus);
      });
    },
    async shutdown() {
      // Requests still waiting for their handler are exported as they are.
      for (const request of waiting) finish(request, undefined);
      for (const [channel, handler] of subscriptions) channel.unsubscribe(handler);
      channels.upstreamAttemptStart.unbindStore(scopes);
      channels.internalRequestStart.unbindStore(scopes);
      await provider.shutdown();
    },
  };

  function describeSpan({ span, operation }: RequestState, body: unknown): void {
    const attributes = requestBodyAttributes(body);
    span.setAttributes(attributes);
    const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
    if (typeof model === 'string') span.updateName(`${operation} ${model}`);
  }

  function finish(request: RequestState, httpStatus: number | undefined): void {
    if (finished.has(request)) return;
    finished.add(request);
    waiting.delete(request);
    const { span } = request;
    // No status when no response went out (the client left first): a 200 would be a status nobody sent.
    if (httpStatus !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, httpStatus);
    if (request.finishReasons !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, finishReasonsForCaller(request.route, request.finishReasons));
    const failedAfterHeaders = request.outcome === 'error' && (httpStatus === undefined || httpStatus < 400);
    // A server span is an error when the server failed: a 5xx, or a stream that broke after its 200 went out.
    // A refused request (4xx) and a client that left are the caller's doing.
    if ((httpStatus !== undefined && httpStatus >= 500) || failedAfterHeaders) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: request.errorType ?? (httpStatus === undefined ? 'error' : String(httpStatus)) });
    }
    if (request.errorType === undefined) {
      if (request.outcome === 'client_aborted') span.setAttribute(ATTR_ERROR_TYPE, 'client_aborted');
      else if (httpStatus !== undefined && httpStatus >= 400) span.setAttribute(ATTR_ERROR_TYPE, String(httpStatus));
    }
    span.end();
  }
}

function noop(): void {}
