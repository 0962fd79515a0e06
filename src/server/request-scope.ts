import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { VirtualKey } from '../keys/virtual-key.js';
import { parseTagHeader } from '../pipeline/parse-tags.js';
import { sanitizeHeaderTags } from '../wire/storable-text.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's virtual key, once authenticated (never its secret). */
    frugalKey?: VirtualKey;
  }
}

/** A request id for logs, headers and the ledger; a caller-supplied x-request-id is kept if it is sane. */
export function requestIdOf(request: FastifyRequest): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return `frg-${randomUUID()}`;
}

/** Aborts when the client hangs up before the reply is complete, so the upstream call stops too. */
export function clientSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller.signal;
}

/** What the edge knows about a caller, for the gateway: request id, tags, key, client signal, hints. */
export function callerOf(request: FastifyRequest, response: ServerResponse) {
  const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
  return {
    requestId: requestIdOf(request),
    tags: sanitizeHeaderTags(parseTagHeader(request.headers['x-frugal-tags'])),
    signal: clientSignal(response),
    key: request.frugalKey,
    task: header('x-frugal-task'),
    cacheHeader: header('x-frugal-cache'),
    maxCostUsd: header('x-frugal-max-cost-usd'),
  };
}
