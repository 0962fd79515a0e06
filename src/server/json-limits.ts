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
    const text = body as string;
    if (!mayPoison(text)) {
      // Nothing the poisoning checks look for (their two regular expressions over every body were ~1.5 % of a
      // request's CPU): parsed as is. Invalid JSON goes the default parser's way, for its error.
      let parsed: unknown;
      let valid = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        valid = false;
      }
      if (valid) {
        try {
          assertJsonWithinLimits(parsed, limits);
        } catch (limitError) {
          return done(limitError as FrugalError, undefined);
        }
        return done(null, parsed);
      }
    }
    parseJson(request, text, (error, parsed) => {
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

/**
 * Whether a body could carry a `__proto__` or `constructor` key, spelled out or with \u escapes: only such a body
 * needs secure-json-parse's checks (it looks for exactly these, escapes included).
 */
export function mayPoison(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
}

/** Throws the 400 that names server.max_messages when a chat body carries more messages than that. */
export function assertMessageCount(body: unknown, maxMessages: number): void {
  const messages = (body as { messages?: unknown } | null | undefined)?.messages;
  if (!Array.isArray(messages) || messages.length <= maxMessages) return;
  throw new FrugalError('limit_exceeded', `'messages' holds ${messages.length} messages; the gateway accepts at most ${maxMessages} (server.max_messages).`, { param: 'messages' });
}
