import { FrugalError } from '../../errors/frugal-error.js';
import { isRetryableStatus, parseRetryAfter, providerRefusedCredentials } from '../http/upstream-http.js';
import { redactOptional, redactSecrets } from '../redact-secrets.js';

interface OpenAIErrorPayload {
  error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } | string;
  message?: unknown;
}

/**
 * An OpenAI-compatible upstream's error response → FrugalError with the upstream's status and type, so a
 * client sees what it would have seen talking to the provider directly. Every field taken from the body is
 * upstream text and passes the one redaction (a key echoed in `code` would otherwise reach the ledger).
 */
export function openAIUpstreamError(
  provider: string,
  status: number,
  bodyText: string,
  retryAfterHeader: string | string[] | undefined,
  secrets: readonly (string | undefined)[],
): FrugalError {
  let payload: OpenAIErrorPayload | undefined;
  try {
    payload = JSON.parse(bodyText) as OpenAIErrorPayload;
  } catch {
    payload = undefined;
  }
  const error = typeof payload?.error === 'object' && payload.error !== null ? payload.error : undefined;
  const rawMessage =
    (typeof error?.message === 'string' && error.message) ||
    (typeof payload?.error === 'string' && payload.error) ||
    (typeof payload?.message === 'string' && payload.message) ||
    `HTTP ${status}`;
  const refused = providerRefusedCredentials(provider, status, redactSecrets(rawMessage, secrets));
  if (refused) return refused;
  const upstreamCode = typeof error?.code === 'string' ? redactSecrets(error.code, secrets) : null;
  const retryable = isRetryableStatus(status);
  return new FrugalError(status === 429 ? 'upstream_rate_limited' : 'upstream_error', `Provider '${provider}': ${redactSecrets(rawMessage, secrets)}`, {
    status,
    type: typeof error?.type === 'string' ? redactSecrets(error.type, secrets) : undefined,
    param: typeof error?.param === 'string' ? redactSecrets(error.param, secrets) : null,
    retryAfterSeconds: parseRetryAfter(retryAfterHeader),
    retryable,
    // A server error, rate limit or timeout says the deployment is struggling; a 4xx is about the request.
    upstreamFailure: retryable,
    upstreamCode,
  });
}

/** An `error` object inside a stream that already started (HTTP 200), e.g. a key revoked mid-stream. */
export function openAIStreamError(provider: string, error: { message?: unknown; code?: unknown }, secrets: readonly (string | undefined)[]): FrugalError {
  const message = typeof error.message === 'string' ? error.message : 'stream error';
  return new FrugalError('upstream_error', `Provider '${provider}': ${redactSecrets(message, secrets)}`, {
    upstreamCode: redactOptional(typeof error.code === 'string' ? error.code : null, secrets),
  });
}
