import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { FrugalError } from '../errors/frugal-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';

/** What Node's HTTP parser reports before any request exists; the code names the kind of malformation. */
export interface ParserError extends Error {
  code?: string;
}

/** The parser's own code → ours. Everything not listed is a malformed request: 400. */
export function fromParserError(error: ParserError): FrugalError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new FrugalError('headers_too_large', 'The request line and headers are larger than the gateway accepts (server.max_header_bytes).');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return new FrugalError('request_timeout', 'The request was not received in time.');
    default:
      return new FrugalError('invalid_request', `The HTTP request is malformed${error.code ? ` (${error.code})` : ''}.`);
  }
}

/**
 * Fastify's `clientErrorHandler`: answers a request Node's parser refused (oversized headers, a bad request
 * line, bad chunking) in OpenAI's error shape instead of Fastify's or Node's own body, then closes the
 * connection, since the rest of its bytes cannot be trusted.
 */
export function replyToClientError(error: ParserError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // A response already on its way (pipelining, a slow body) cannot be followed by another status line.
  const inProgress = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  endWithError(socket, fromParserError(error));
}

/**
 * Writes a whole HTTP/1.1 error reply in OpenAI's shape straight onto a socket Node handed over before any
 * request object could answer (a parser refusal, a CONNECT), and closes it.
 */
export function endWithError(socket: Socket, error: FrugalError): void {
  const rendered = toOpenAIError(error);
  const body = JSON.stringify(rendered.body);
  socket.end(
    [
      `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status] ?? 'Error'}`,
      'Content-Type: application/json; charset=utf-8',
      // No request exists yet (and its headers cannot be trusted): a fresh id, for the caller's support ticket.
      `X-Request-Id: frg-${randomUUID()}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
