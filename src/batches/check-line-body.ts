import { FrugalError } from '../errors/frugal-error.js';
import { validateChatRequest, validateEmbeddingRequest } from '../request/validate-request.js';
import { findTooDeep } from '../wire/json-depth.js';
import { checkResponsesRequest } from '../wire/responses/responses-request-schema.js';
import type { BatchEndpoint } from './batch-types.js';

export interface LineBodyLimits {
  /** server.max_json_depth: the HTTP edge's nesting limit, applied to a line's body (the body itself is 1). */
  maxDepth: number;
  /** server.max_messages: the chat edge's message count limit. */
  maxMessages: number;
}

/**
 * Checks a line's body the way the endpoint checks the same body sent over HTTP, when the batch is accepted:
 * first the edge's limits (a body nested past server.max_json_depth would overflow the stack of the hold's
 * worst-case count, the cache key and the upstream body), then the endpoint's request validation. Throws the
 * FrugalError the endpoint would answer; the caller makes it the line's error-file entry.
 */
export function checkLineBody(endpoint: BatchEndpoint, body: Record<string, unknown>, limits: LineBodyLimits): void {
  const tooDeep = findTooDeep(body, limits.maxDepth);
  if (tooDeep !== undefined) {
    const where = tooDeep.field === '' ? 'The request body' : `'${tooDeep.field}'`;
    throw new FrugalError('limit_exceeded', `${where} nests JSON deeper than ${limits.maxDepth} levels (server.max_json_depth).`, { param: tooDeep.field || null });
  }
  if (endpoint === '/v1/embeddings') {
    validateEmbeddingRequest(body);
    return;
  }
  if (endpoint === '/v1/chat/completions') {
    const messages = body.messages;
    if (Array.isArray(messages) && messages.length > limits.maxMessages) {
      throw new FrugalError('limit_exceeded', `'messages' holds ${messages.length} messages; the gateway accepts at most ${limits.maxMessages} (server.max_messages).`, { param: 'messages' });
    }
    validateChatRequest(body);
    return;
  }
  const checked = checkResponsesRequest(body);
  if (!checked.ok) throw new FrugalError('invalid_request', checked.issue.message, { param: checked.issue.param });
}
