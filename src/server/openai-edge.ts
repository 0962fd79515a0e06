import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions, FastifyInstance, FastifyReply } from 'fastify';
import { stdSerializers } from 'pino';
import { FrugalError } from '../errors/frugal-error.js';
import { scrubCredentials } from '../errors/scrub-credentials.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { nonCanonicalPathReason } from './canonical-path.js';
import { endWithError, replyToClientError } from './client-error-reply.js';
import { errorShapeOf, renderError } from './error-shape.js';
import { fromFastifyError } from './fastify-error.js';
import { installRequestLog, watchRequest } from './request-log.js';
import { newRequestId } from './request-scope.js';
import { refuseRepeatedCredentials } from './refuse-repeated-credentials.js';

export interface EdgeLimits {
  /** server.max_header_bytes: the request line and headers together; Node answers beyond it before Fastify runs. */
  maxHeaderBytes: number;
}

function send(reply: FastifyReply, error: unknown): void {
  // Framework errors (a bad %-escape) are answered before any hook: log them and give them their id here.
  watchRequest(reply.request, reply);
  const rendered = renderError(errorShapeOf(reply.request), fromFastifyError(error), reply.request.id);
  void reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
}

/**
 * An error as the log line holds it (pino's own error serializer: type, message, stack, cause, own fields), every
 * string in it scrubbed of credentials. Defence in depth: an internal error may quote a provider key (a library
 * echoing a URL or a header), and log lines reach shippers and people who must never see a key.
 */
function loggableError(error: unknown): unknown {
  return scrubbedStrings(error instanceof Error ? stdSerializers.err(error) : error, 0, new WeakSet());
}

// Deep enough for an error's cause chain and its fields; beyond that (a socket, an agent) nothing is worth a log line.
const MAX_LOGGED_DEPTH = 6;

function scrubbedStrings(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubCredentials(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_LOGGED_DEPTH || ArrayBuffer.isView(value)) return `[${value.constructor?.name ?? 'Object'}]`;
  seen.add(value);
  if (value instanceof Error) return scrubbedStrings(stdSerializers.err(value), depth, seen);
  if (Array.isArray(value)) return value.map((item) => scrubbedStrings(item, depth + 1, seen));
  const entries = Object.entries(value).map(([name, field]) => [name, scrubbedStrings(field, depth + 1, seen)]);
  return Object.fromEntries(entries);
}

/**
 * The Fastify options every Frugal listener shares, so that nothing Fastify or Node answer on their own
 * (a bad %-escape, oversized headers, a malformed request line, a request while closing) escapes OpenAI's
 * error shape. The router options are Fastify's defaults, pinned: access control relies on them.
 */
export function edgeServerOptions({ maxHeaderBytes }: EdgeLimits): FastifyHttpOptions<Server> {
  return {
    // Node answers a missing Host with a bare 400; the onRequest hook below refuses it in our shape instead.
    http: { maxHeaderSize: maxHeaderBytes, requireHostHeader: false },
    clientErrorHandler: replyToClientError,
    frameworkErrors: (error, _request, reply) => send(reply, error),
    // Fastify's own 503 while closing has its own body; the onRequest hook below answers instead.
    return503OnClosing: false,
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    // request.id is our request id (x-request-id, x-frugal-request-id, the ledger row, the log line).
    genReqId: newRequestId,
  };
}

/**
 * Error rendering, the not-found reply, the canonical-path check and the closing refusal, for one listener.
 * Registered before any route, so these hooks run before every route's own.
 */
export function installEdge(app: FastifyInstance): void {
  installRequestLog(app);
  app.setErrorHandler((error, request, reply) => {
    const mapped = fromFastifyError(error);
    const rendered = renderError(errorShapeOf(request), mapped, request.id);
    if (rendered.status >= 500 && !(mapped instanceof FrugalError && mapped.code.startsWith('upstream_'))) {
      // The route pattern, not the URL: a URL may carry a pasted key (/admin/keys/<plaintext>/revoke).
      request.log.error({ err: loggableError(error), route: request.routeOptions?.url ?? 'unknown', method: request.method }, 'request failed');
    }
    void reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
  });
  app.setNotFoundHandler((request, reply) => {
    send(reply, new FrugalError('not_found', `Unknown endpoint ${request.method} ${request.url.split('?')[0]}.`));
  });

  // Without a listener Node answers an unknown Expect with a bare 417 and no body.
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const rendered = toOpenAIError(new FrugalError('expectation_failed', `Expect: ${String(request.headers.expect).slice(0, 64)} is not supported; only 100-continue is.`));
    response.writeHead(rendered.status, { ...rendered.headers, 'x-request-id': newRequestId(request), 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    response.end(JSON.stringify(rendered.body));
  });

  // Without a listener Node drops a CONNECT (a proxy tunnel request) with no reply at all.
  app.server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    endWithError(socket, new FrugalError('not_supported', 'CONNECT is not supported: Frugal is an API gateway, not a proxy.'));
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    // Fastify has already asked for Connection: close; the client should retry on another instance.
    if (closing) throw new FrugalError('shutdown', 'The gateway is shutting down; retry the request.', { retryable: true });
    if (request.raw.httpVersionMajor === 1 && request.raw.httpVersionMinor >= 1 && request.headers.host === undefined) {
      reply.header('connection', 'close');
      throw new FrugalError('invalid_request', 'An HTTP/1.1 request must carry a Host header.');
    }
    const reason = nonCanonicalPathReason(request.raw.url ?? '');
    if (reason !== undefined) {
      // A front proxy that read this target differently may also disagree about where the next request starts.
      reply.header('connection', 'close');
      throw new FrugalError('invalid_path', `The path is not in canonical form: ${reason}.`);
    }
    // Before every route's own key check (route-access.ts, the master-key, dashboard, feedback and metrics guards).
    refuseRepeatedCredentials(request);
  });
}
