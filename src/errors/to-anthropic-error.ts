import { FrugalError } from './frugal-error.js';
import { scrubCredentials } from './scrub-credentials.js';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
}

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface RenderedAnthropicError {
  status: number;
  headers: Record<string, string>;
  body: AnthropicErrorBody;
}

/**
 * Anthropic's error type for a status, as its API documents them. Budgets (429 insufficient_quota in OpenAI's
 * terms) are rate_limit_error, as is what Anthropic does with spend limits; a 402 cost ceiling is the request's own
 * fault (invalid_request_error); 503 and 529 are Anthropic's overloaded_error, which its SDKs retry.
 */
function anthropicType(status: number): AnthropicErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** The only place an error becomes Anthropic's error JSON. Unknown errors never leak their message. */
export function toAnthropicError(error: unknown): RenderedAnthropicError {
  if (error instanceof FrugalError) {
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfterSeconds));
    // Anthropic's SDKs retry every 429 unless told not to; an exhausted budget does not refill in seconds.
    if (error.code === 'budget_exceeded') headers['x-should-retry'] = 'false';
    return { status: error.status, headers, body: { type: 'error', error: { type: anthropicType(error.status), message: scrubCredentials(error.message) } } };
  }
  return { status: 500, headers: {}, body: { type: 'error', error: { type: 'api_error', message: 'Internal error in the gateway.' } } };
}
