import type { ErrorCode, OpenAIErrorType } from '../../errors/error-codes.js';
import { FrugalError } from '../../errors/frugal-error.js';
import { isRetryableStatus, parseRetryAfter, providerRefusedCredentials } from '../http/upstream-http.js';
import { redactSecrets } from '../redact-secrets.js';

export interface AnthropicErrorResponse {
  status: number;
  bodyText: string;
  headers: Record<string, string | string[] | undefined>;
}

// Anthropic error type → the OpenAI error type a client of Frugal expects for the same situation.
const OPENAI_TYPES: Record<string, OpenAIErrorType> = {
  invalid_request_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'api_error',
  overloaded_error: 'server_error',
  timeout_error: 'api_error',
  billing_error: 'api_error',
};

/**
 * Anthropic's 529 "overloaded" is not a standard status; it is sent to clients as 503 (the standard
 * "temporarily unavailable, retry later"), which every HTTP client, proxy and OpenAI SDK knows how to treat.
 */
function clientStatusOf(upstreamStatus: number): number {
  return upstreamStatus === 529 ? 503 : upstreamStatus;
}

/**
 * An Anthropic error response (`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
 * → FrugalError with the upstream's status, whether it is worth retrying (Anthropic's `x-should-retry` header
 * wins over the status), Retry-After, and the Anthropic error type as upstreamCode. Keys are redacted.
 */
export function anthropicUpstreamError(
  provider: string,
  response: AnthropicErrorResponse,
  secrets: readonly (string | undefined)[],
  now = Date.now(),
): FrugalError {
  const { status, headers } = response;
  const { errorType: rawType, message } = readErrorBody(response.bodyText);
  // The type is upstream text too, and becomes the ledger's error code.
  const errorType = rawType === undefined ? undefined : redactSecrets(rawType, secrets);
  const refused = providerRefusedCredentials(provider, status, redactSecrets(message ?? `HTTP ${status}`, secrets));
  if (refused) return refused;
  const shouldRetry = headerValue(headers['x-should-retry']);
  const retryable = shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : isRetryableStatus(status);
  return new FrugalError(codeOf(status, errorType), `Provider '${provider}': ${redactSecrets(message ?? `HTTP ${status}`, secrets)}`, {
    status: clientStatusOf(status),
    type: errorType === undefined ? undefined : (OPENAI_TYPES[errorType] ?? 'api_error'),
    retryAfterSeconds: parseRetryAfter(headers['retry-after'], now),
    retryable,
    // Overload, server errors and rate limits say the deployment is struggling; a 4xx is about the request.
    upstreamFailure: isRetryableStatus(status),
    upstreamCode: errorType ?? null,
  });
}

/**
 * An `error` event inside a stream that already started (HTTP 200). Overloaded and API errors there are
 * transient, so they are retryable like their HTTP counterparts (529, 500).
 */
export function anthropicStreamError(provider: string, data: unknown, secrets: readonly (string | undefined)[]): FrugalError {
  const error = (data as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  const errorType = typeof error?.type === 'string' ? redactSecrets(error.type, secrets) : 'api_error';
  const message = typeof error?.message === 'string' ? error.message : 'stream error';
  const status = STATUS_OF_TYPE[errorType] ?? 500;
  return new FrugalError(codeOf(status, errorType), `Provider '${provider}': ${redactSecrets(message, secrets)}`, {
    status: clientStatusOf(status),
    type: OPENAI_TYPES[errorType] ?? 'api_error',
    retryable: isRetryableStatus(status),
    upstreamFailure: isRetryableStatus(status),
    upstreamCode: errorType,
  });
}

// The HTTP status Anthropic pairs with each error type (docs: "HTTP errors").
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

function codeOf(status: number, errorType: string | undefined): ErrorCode {
  if (status === 429 || errorType === 'rate_limit_error') return 'upstream_rate_limited';
  if (status === 504 || errorType === 'timeout_error') return 'upstream_timeout';
  return 'upstream_error';
}

function readErrorBody(bodyText: string): { errorType: string | undefined; message: string | undefined } {
  let payload: unknown;
  try {
    payload = JSON.parse(bodyText);
  } catch {
    return { errorType: undefined, message: undefined };
  }
  const error = (payload as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  return {
    errorType: typeof error?.type === 'string' ? error.type : undefined,
    message: typeof error?.message === 'string' && error.message !== '' ? error.message : undefined,
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
