import type { FastifyInstance } from 'fastify';
import { FrugalError } from '../errors/frugal-error.js';
import { findTooDeep } from '../wire/json-depth.js';

export interface JsonLimits {
  /** server.max_json_depth: the deepest nesting of arrays and objects anywhere in a body (the body itself is 1). */
  maxDepth: number;
}

/** Throws the 400 that names the limit when `body` nests deeper than `limits.maxDepth`. */
export function assertJsonWithinLimits(body: unknown, limits: JsonLimits): void {
  const tooDeep = findTooDeep(body, limits.maxDepth);
  if (tooDeep === undefined) return;
  const where = tooDeep.field === '' ? 'The request body' : `'${tooDeep.field}'`;
  throw new FrugalError('limit_exceeded', `${where} nests JSON deeper than ${limits.maxDepth} levels (server.max_json_depth).`, { param: tooDeep.field || null });
}

/**
 * Replaces Fastify's JSON body parser with the same parser (prototype-poisoning checks included) followed by
 * the depth check, so no handler, hook or stage ever holds a body that would overflow the stack.
 * V8's JSON.parse is itself iterative, so parsing a hostile body is safe; only what comes after is not.
 *
 * @example
 * registerLimitedJsonParser(app, { maxDepth: 64 });
 */
export function registerLimitedJsonParser(app: FastifyInstance, limits: JsonLimits): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // parseAs: 'string' hands the body over as a string.
    parseJson(request, body as string, (error, parsed) => {
      if (error) return done(error, undefined);
      try {
        assertJsonWithinLimits(parsed, limits);
      } catch (limitError) {
        return done(limitError as FrugalError, undefined);
      }
      done(null, parsed);
    });
  });
}

/** Throws the 400 that names server.max_messages when a chat body carries more messages than that. */
export function assertMessageCount(body: unknown, maxMessages: number): void {
  const messages = (body as { messages?: unknown } | null | undefined)?.messages;
  if (!Array.isArray(messages) || messages.length <= maxMessages) return;
  throw new FrugalError('limit_exceeded', `'messages' holds ${messages.length} messages; the gateway accepts at most ${maxMessages} (server.max_messages).`, { param: 'messages' });
}
