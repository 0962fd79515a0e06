/**
 * Every error Frugal can return, with its HTTP status and OpenAI error `type`.
 * The Record is exhaustive on purpose: a new code without a status fails the build.
 */
export type ErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'invalid_path'
  | 'limit_exceeded'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'request_timeout'
  | 'expectation_failed'
  | 'model_not_found'
  | 'route_not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_api_key'
  | 'permission_denied'
  | 'budget_exceeded'
  | 'cost_ceiling_exceeded'
  | 'rate_limit_exceeded'
  | 'upstream_error'
  | 'upstream_rate_limited'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'upstream_bad_response'
  | 'circuit_open'
  | 'quality_check_failed'
  | 'not_supported'
  | 'not_found'
  | 'config_invalid'
  | 'shutdown'
  | 'worker_exited'
  | 'internal_error';

/**
 * The `code` a caller sees (and the ledger keeps) on an `upstream_error` whose provider refused the gateway's own
 * credentials or account (a 401, 402 or 403 upstream: providers/http/upstream-http.ts).
 */
export const PROVIDER_CREDENTIALS_REJECTED = 'provider_credentials_rejected';

/**
 * OpenAI's own parameter-validation codes, which a door that answers in OpenAI's exact terms (the Responses API)
 * gives in `code` in place of `invalid_request`: each is an `invalid_request` underneath, a 400.
 */
const OPENAI_VALIDATION_CODE = /^(?:missing_required_parameter|invalid_type|invalid_value|context_length_exceeded|previous_response_not_found|(?:integer|decimal|string|array)_(?:below|above)_(?:min|max)_(?:value|length))$/;

/** The catalog entry behind a `code` a caller can see: a Frugal code, or one of OpenAI's validation codes. */
export function catalogEntryOf(code: string): ErrorCodeInfo | undefined {
  if (Object.hasOwn(ERROR_CODES, code)) return ERROR_CODES[code as ErrorCode];
  return OPENAI_VALIDATION_CODE.test(code) ? ERROR_CODES.invalid_request : undefined;
}

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'api_error'
  | 'server_error';

interface ErrorCodeInfo {
  readonly status: number;
  readonly type: OpenAIErrorType;
}

export const ERROR_CODES: Record<ErrorCode, ErrorCodeInfo> = {
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  // A path the router would read differently from how it is spelled (%76, //, /./, ;x): refused, never guessed at.
  invalid_path: { status: 400, type: 'invalid_request_error' },
  // A configured edge limit (server.max_json_depth, server.max_messages): the message names it.
  limit_exceeded: { status: 400, type: 'invalid_request_error' },
  uri_too_long: { status: 414, type: 'invalid_request_error' },
  // Raised by the HTTP parser before Fastify sees the request (server.max_header_bytes).
  headers_too_large: { status: 431, type: 'invalid_request_error' },
  request_timeout: { status: 408, type: 'invalid_request_error' },
  // An Expect header other than 100-continue: Node refuses it before any route runs.
  expectation_failed: { status: 417, type: 'invalid_request_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  route_not_found: { status: 404, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'not_found_error' },
  payload_too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  invalid_api_key: { status: 401, type: 'authentication_error' },
  permission_denied: { status: 403, type: 'permission_error' },
  budget_exceeded: { status: 429, type: 'insufficient_quota' },
  // The request's own ceiling (x-frugal-max-cost-usd, a route's or key's max_cost_usd): retrying the same request cannot help, so not 429.
  cost_ceiling_exceeded: { status: 402, type: 'insufficient_quota' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  // Upstream errors usually carry the upstream's own status; these are the defaults.
  upstream_error: { status: 502, type: 'api_error' },
  upstream_rate_limited: { status: 429, type: 'rate_limit_error' },
  upstream_unreachable: { status: 502, type: 'api_error' },
  upstream_timeout: { status: 504, type: 'api_error' },
  upstream_bad_response: { status: 502, type: 'api_error' },
  // Every candidate deployment is out of rotation (open circuit or failed health check).
  circuit_open: { status: 503, type: 'api_error' },
  quality_check_failed: { status: 502, type: 'api_error' },
  not_supported: { status: 400, type: 'invalid_request_error' },
  config_invalid: { status: 500, type: 'server_error' },
  // The gateway is stopping: the request was still running when the drain deadline (server.drain_timeout_ms) passed.
  shutdown: { status: 503, type: 'server_error' },
  // Ledger only (no client sees it): the worker process serving the request died mid-request (server.workers).
  worker_exited: { status: 502, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
};
