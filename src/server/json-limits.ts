import type { FastifyInstance } from 'fastify';
import { FrugalError } from '../errors/frugal-error.js';

export interface JsonLimits {
  /** server.max_json_depth: the deepest nesting of arrays and objects anywhere in a body (the body itself is 1). */
  maxDepth: number;
}

/**
 * The first top-level field of `value` whose nesting passes `maxDepth`, as `{ field }` ('' for a bare array),
 * or undefined. Iterative on purpose: the point is to refuse what would overflow the stack of every
 * recursive walk after it (JSON.stringify in the cache key and the upstream body, structuredClone, zod).
 */
export function findTooDeep(value: unknown, maxDepth: number): { field: string } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  // Parallel stacks instead of tuples: a 10 MB body holds millions of nodes and this runs on every request.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  const fields: string[] = [''];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    const field = fields.pop()!;
    if (depth > maxDepth) return { field };
    const children = Array.isArray(node) ? node : Object.values(node);
    const topLevel = depth === 1 && !Array.isArray(node) ? Object.keys(node) : undefined;
    for (let index = 0; index < children.length; index += 1) {
      const child: unknown = children[index];
      if (child === null || typeof child !== 'object') continue;
      nodes.push(child);
      depths.push(depth + 1);
      fields.push(topLevel ? topLevel[index] : field);
    }
  }
  return undefined;
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
