import { FrugalError } from '../../errors/frugal-error.js';
import { chatParamToResponses, type ParamMap } from '../../wire/responses/chat-param-to-responses.js';
import { checkResponsesRequest } from '../../wire/responses/responses-request-schema.js';
import type { ResponsesRequest } from '../../wire/responses/responses-types.js';

/** The body as a Responses request, or OpenAI's 400 naming the field, in its words and with its code. */
export function validatedResponsesRequest(body: unknown): ResponsesRequest {
  const checked = checkResponsesRequest(body);
  if (!checked.ok) throw new FrugalError('invalid_request', checked.issue.message, { param: checked.issue.param, upstreamCode: checked.issue.code });
  return checked.value;
}

/**
 * An error of the chat pipeline (its own checks, or an upstream's refusal) as the Responses API gives it: the
 * `param` (and its mention in the message) under the Responses field's name. The status stays the catalog's
 * (errors/error-codes.ts): one status per code on every door.
 */
export function inResponsesTerms(error: unknown, map: ParamMap): unknown {
  if (!(error instanceof FrugalError)) return error;
  const param = error.param === null ? null : chatParamToResponses(error.param, map);
  if (param === error.param) return error;
  const message = error.param !== null && param !== null ? error.message.replaceAll(`'${error.param}'`, `'${param}'`) : error.message;
  return new FrugalError(error.code, message, {
    param,
    status: error.status,
    type: error.type,
    retryAfterSeconds: error.retryAfterSeconds,
    headers: error.headers,
    retryable: error.retryable,
    upstreamCode: error.upstreamCode,
    upstreamFailure: error.upstreamFailure,
    cause: error,
  });
}
