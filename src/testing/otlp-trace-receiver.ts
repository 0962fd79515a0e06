import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/**
 * The subset of OTLP/HTTP protobuf a trace receiver needs, written from the field numbers of
 * opentelemetry-proto (collector/trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto,
 * resource/v1/resource.proto). Fields not listed are skipped by the decoder, as protobuf allows.
 */
const OTLP_SUBSET = `
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; }
message Status { string message = 2; int32 code = 3; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  repeated Event events = 11;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;

const ExportTraceServiceRequest = protobuf.parse(OTLP_SUBSET, { keepCase: true }).root.lookupType('ExportTraceServiceRequest');

export type AttributeValue = string | number | boolean | AttributeValue[] | null;

/** OTLP span kinds (trace.proto SpanKind). */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
/** OTLP status codes (trace.proto Status.StatusCode). */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  status: { code: number; message: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface OtlpTraceReceiver {
  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** Raw bodies as received, to search for what must never be exported. */
  bodies: Buffer[];
  /** Headers of each export request. */
  headers: IncomingHttpHeaders[];
  waitForSpans(match: (span: ReceivedSpan) => boolean, count?: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

interface DecodedValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number;
  double_value?: number;
  array_value?: { values?: DecodedValue[] };
  bytes_value?: Uint8Array;
}
interface DecodedKeyValue {
  key: string;
  value?: DecodedValue;
}
interface DecodedSpan {
  trace_id: Uint8Array;
  span_id: Uint8Array;
  parent_span_id?: Uint8Array;
  name: string;
  kind?: number;
  attributes?: DecodedKeyValue[];
  events?: Array<{ name: string; attributes?: DecodedKeyValue[] }>;
  status?: { message?: string; code?: number };
}
interface DecodedRequest {
  resource_spans?: Array<{ resource?: { attributes?: DecodedKeyValue[] }; scope_spans?: Array<{ scope?: { name?: string }; spans?: DecodedSpan[] }> }>;
}

function valueOf(value: DecodedValue | undefined): AttributeValue {
  if (value === undefined) return null;
  if (value.string_value !== undefined) return value.string_value;
  if (value.bool_value !== undefined) return value.bool_value;
  if (value.int_value !== undefined) return Number(value.int_value);
  if (value.double_value !== undefined) return value.double_value;
  if (value.array_value !== undefined) return (value.array_value.values ?? []).map(valueOf);
  if (value.bytes_value !== undefined) return Buffer.from(value.bytes_value).toString('hex');
  return null;
}

function attributesOf(list: DecodedKeyValue[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, valueOf(entry.value)]));
}

const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : '');

export function decodeTraceExport(body: Uint8Array): ReceivedSpan[] {
  const message = ExportTraceServiceRequest.decode(body);
  const decoded = ExportTraceServiceRequest.toObject(message, { longs: Number, oneofs: false }) as DecodedRequest;
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of decoded.resource_spans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scope_spans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: hex(span.trace_id),
          spanId: hex(span.span_id),
          parentSpanId: hex(span.parent_span_id),
          name: span.name,
          kind: span.kind ?? 0,
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributesOf(event.attributes) })),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
          resource,
          scope: scopeSpans.scope?.name ?? '',
        });
      }
    }
  }
  return spans;
}

/** An OTLP/HTTP trace receiver on 127.0.0.1: accepts POST /v1/traces (application/x-protobuf) and decodes it. */
export async function startOtlpTraceReceiver(): Promise<OtlpTraceReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: Buffer[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['content-type'] !== 'application/x-protobuf') {
      res.writeHead(415).end();
      return;
    }
    const body = Buffer.concat(chunks);
    bodies.push(body);
    headers.push(req.headers);
    try {
      spans.push(...decodeTraceExport(body));
    } catch {
      res.writeHead(400).end();
      return;
    }
    // An empty ExportTraceServiceResponse: everything accepted.
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    headers,
    async waitForSpans(match, count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans.filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`expected ${count} matching spans, got ${found.length} (of ${spans.length}: ${spans.map((span) => span.name).join(', ')})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
