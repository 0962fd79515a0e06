import { FrugalError } from './frugal-error.js';
import { scrubCredentials } from './scrub-credentials.js';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
}

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface RenderedAnthropicError {
  status: number;
  headers: Record<string, string>;
  body: AnthropicErrorBody;
}

// Anthropic's own error types: when an Anthropic upstream sent one, the client gets it, not one guessed from the status.
const ANTHROPIC_TYPES: ReadonlySet<string> = new Set<AnthropicErrorType>([
  'invalid_request_error', 'authentication_error', 'billing_error', 'permission_error', 'not_found_error',
  'request_too_large', 'rate_limit_error', 'api_error', 'timeout_error', 'overloaded_error',
]);

/**
 * Anthropic's error type for a status, as its API documents them. Budgets (429 insufficient_quota in OpenAI's
 * terms) are rate_limit_error, as is what Anthropic does with spend limits; a 402 cost ceiling is the request's own
 * fault (invalid_request_error); 503 and 529 are Anthropic's overloaded_error, which its SDKs retry; 504 (an
 * upstream that did not answer in time) is timeout_error.
 */
function typeOfStatus(status: number): AnthropicErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function anthropicTypeOf(error: FrugalError): AnthropicErrorType {
  const upstream = error.upstreamCode;
  return upstream !== null && ANTHROPIC_TYPES.has(upstream) ? (upstream as AnthropicErrorType) : typeOfStatus(error.status);
}

/**
 * The only place an error becomes Anthropic's error JSON. Unknown errors never leak their message. An Anthropic
 * upstream's overload keeps Anthropic's 529 here (OpenAI-shaped clients get it as 503, see anthropic-error.ts).
 */
export function toAnthropicError(error: unknown): RenderedAnthropicError {
  if (error instanceof FrugalError) {
    const headers: Record<string, string> = { ...error.headers };
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfterSeconds));
    // Anthropic's SDKs retry every 429 unless told not to; an exhausted budget does not refill in seconds.
    if (error.code === 'budget_exceeded') headers['x-should-retry'] = 'false';
    const type = anthropicTypeOf(error);
    const status = type === 'overloaded_error' && error.upstreamCode === 'overloaded_error' ? 529 : error.status;
    return { status, headers, body: { type: 'error', error: { type, message: scrubCredentials(error.message) } } };
  }
  return { status: 500, headers: {}, body: { type: 'error', error: { type: 'api_error', message: 'Internal error in the gateway.' } } };
}
