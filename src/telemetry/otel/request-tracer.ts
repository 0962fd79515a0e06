/**
 * What the HTTP edge asks of tracing. Types only: the edge imports this file for free, and loads the
 * OpenTelemetry SDK (otel-tracing.ts) only when an OTLP endpoint is configured.
 */
export type GenAiOperation = 'chat' | 'embeddings';

export interface InboundRequest {
  operation: GenAiOperation;
  method: string;
  /** The route's pattern (e.g. /v1/chat/completions), never the raw URL. */
  route: string;
  /** Inbound headers: `traceparent` / `tracestate` make the caller's span the parent. */
  headers: Record<string, string | string[] | undefined>;
}

/** One inbound API call's span, opaque to the edge. */
export interface TracedRequest {
  readonly operation: GenAiOperation;
}

export interface RequestTracer {
  start(request: InboundRequest): TracedRequest;
  /** Runs the route's handler as the request, so that attempts, routing events and the ledger row find its span. */
  run<T>(traced: TracedRequest, handler: () => T): T;
  /** Model and parameters from the parsed body (never its messages). */
  describe(traced: TracedRequest, body: unknown): void;
  /** `httpStatus`: the status sent, or undefined when no response went out (the client left first). */
  end(traced: TracedRequest, httpStatus: number | undefined): void;
  /** Exports what is buffered and stops; called when the server closes. */
  shutdown(): Promise<void>;
}
