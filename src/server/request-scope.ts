import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { VirtualKey } from '../keys/virtual-key.js';
import type { CallerContext } from '../request/request-context.js';
import { parseTagHeader } from '../pipeline/parse-tags.js';
import { sanitizeHeaderTags } from '../wire/storable-text.js';
import { scrubCredentials } from '../errors/scrub-credentials.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's virtual key, once authenticated (never its secret). */
    frugalKey?: VirtualKey;
    /** Asks again whether the key presented still stands (work that waits looks before it spends). */
    frugalKeyInForce?: () => Promise<boolean>;
  }
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: one id per request for the log line, x-request-id, x-frugal-request-id and the ledger
 * row. A caller-supplied x-request-id is kept if it is sane.
 */
export function newRequestId(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  // Sane, and not a credential: the id is written to the log, the ledger and every reply header.
  if (typeof given === 'string' && SANE_REQUEST_ID.test(given) && scrubCredentials(given) === given) return given;
  return `frg-${randomUUID()}`;
}

/** The request's id (Fastify's request.id, made by newRequestId): the same every time it is asked for. */
export function requestIdOf(request: FastifyRequest): string {
  return request.id;
}

/** Aborts when the client hangs up before the reply is complete, so the upstream call stops too. */
export function clientAbort(response: ServerResponse): AbortController {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller;
}

/** What the edge knows about a caller, for the gateway: request id, tags, key, client signal, hints. */
export function callerOf(request: FastifyRequest, response: ServerResponse): CallerContext & { requestId: string; signal: AbortSignal } {
  const client = clientAbort(response);
  const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
  return {
    requestId: requestIdOf(request),
    tags: sanitizeHeaderTags(parseTagHeader(request.headers['x-frugal-tags'])),
    signal: client.signal,
    endCall: (reason: Error) => client.abort(reason),
    key: request.frugalKey,
    keyInForce: request.frugalKeyInForce,
    task: header('x-frugal-task'),
    cacheHeader: header('x-frugal-cache'),
    maxCostUsd: header('x-frugal-max-cost-usd'),
    lane: { priority: header('x-frugal-priority'), deadline: header('x-frugal-deadline') },
  };
}
