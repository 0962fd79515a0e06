import { FrugalError } from '../errors/frugal-error.js';
import type { ChatRequest, EmbeddingRequest } from '../wire/chat-types.js';
import { checkChatRequest, checkEmbeddingRequest } from '../wire/chat-request-schema.js';
import type { WireCheck } from '../wire/wire-check.js';

function orThrow<T>(checked: WireCheck<T>): T {
  if (!checked.ok) throw new FrugalError('invalid_request', checked.issue.message, { param: checked.issue.param });
  return checked.value;
}

/** A 400 naming the field, before anything is spent on the request. */
export const validateChatRequest = (body: unknown): ChatRequest => orThrow(checkChatRequest(body));
export const validateEmbeddingRequest = (body: unknown): EmbeddingRequest => orThrow(checkEmbeddingRequest(body));
