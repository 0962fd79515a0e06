import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nanosToUsdNumber } from '../catalog/pricing.js';
import type { GatewayReply } from '../pipeline/create-gateway.js';
import { redactSecrets } from '../providers/redact-secrets.js';
import { scrubCredentials } from '../errors/scrub-credentials.js';

/** What served a request, as far as the route knows it; read when the reply ends (a stream's cost grows until then). */
export interface ServedSummary {
  /** The model or route name the caller asked for. */
  requested: string | undefined;
  /** The model that answered. */
  model: string | undefined;
  provider: string | undefined;
  /** The route's decisions (x-frugal-route), e.g. `tier(0)>gpt-4o-mini`. */
  trace: string | undefined;
  /** Everything the request spent upstream, over every attempt, in nano-dollars. */
  costNanos: () => number | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a route once the gateway answered; the request log line reads it. */
    frugalServed?: ServedSummary;
  }
}

function infoEnabled(log: FastifyRequest['log']): boolean {
  return (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info') ?? true;
}

const WATCHED = Symbol('frugal.requestLogged');

/** The summary of a chat-shaped gateway reply; the cost is read from the request's spend when the line is written. */
export function servedByGateway({ context, meta }: Pick<GatewayReply, 'context' | 'meta'>): ServedSummary {
  return {
    requested: context.request.model,
    model: meta.model?.name,
    provider: meta.provider,
    trace: context.routeTrace.length > 0 ? context.routeTrace.join('>') : undefined,
    costNanos: () => context.spend.costNanos,
  };
}

const scrub = (text: string) => scrubCredentials(redactSecrets(text));

/**
 * A 404's path is the caller's text: without anything key-shaped or any configured credential (the master key, the
 * metrics token: they have no recognisable shape), also when %-encoded (`+`, `/`, `=` of a base64 secret), and
 * cut short only after that, so that the cut never leaves the head of a secret that would no longer match.
 */
function unmatchedPath(url: string): string {
  const path = url.split('?')[0];
  let clean = scrub(path);
  try {
    const decoded = decodeURIComponent(path);
    if (decoded !== path && scrub(decoded) !== decoded) clean = scrub(decoded);
  } catch {
    // A broken escape (refused as invalid_path): the raw text, scrubbed, is all there is.
  }
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/**
 * Puts x-request-id on the response and writes one `info` line when the response closes — for replies Fastify
 * sends, errors, 404s, refusals in hooks and hijacked streams alike. The header goes on the raw response so that
 * a hijacked reply's own writeHead carries it too. Safe to call twice for one request.
 */
export function watchRequest(request: FastifyRequest, reply: FastifyReply): void {
  const raw = reply.raw;
  const marked = request as FastifyRequest & { [WATCHED]?: true };
  if (marked[WATCHED]) return;
  marked[WATCHED] = true;
  if (!raw.headersSent) raw.setHeader('x-request-id', request.id);
  const started = performance.now();
  raw.once('close', () => {
    // Not even the line's object when info lines are off (production at warn): this runs for every request.
    if (!infoEnabled(request.log)) return;
    const served = request.frugalServed;
    const costNanos = served?.costNanos();
    // No body, no header, no raw URL: a matched route is logged by its pattern, since a URL may carry a key.
    request.log.info(
      {
        method: request.method,
        path: request.is404 ? unmatchedPath(request.url) : (request.routeOptions.url ?? null),
        status: raw.statusCode,
        ...(raw.writableFinished ? {} : { aborted: true }),
        route: served?.requested === undefined ? null : scrub(served.requested),
        model: served?.model ?? null,
        provider: served?.provider ?? null,
        ...(served?.trace ? { trace: served.trace } : {}),
        ms: Math.round((performance.now() - started) * 10) / 10,
        cost_usd: costNanos === undefined ? null : nanosToUsdNumber(costNanos),
      },
      'request',
    );
  });
}

/**
 * Fastify's own per-request lines are off (create-server.ts); this one line per request replaces them. Install
 * before any other onRequest hook, so that requests refused by a hook are logged and carry their id too.
 *
 * @example
 * installRequestLog(app); // first thing after creating the instance
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => watchRequest(request, reply));
}
