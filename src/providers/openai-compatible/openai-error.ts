import { FrugalError } from '../../errors/frugal-error.js';
import { isRetryableStatus, parseRetryAfter } from '../http/upstream-http.js';
import { redactSecrets } from '../redact-secrets.js';

interface OpenAIErrorPayload {
  error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } | string;
  message?: unknown;
}

/**
 * An OpenAI-compatible upstream's error response → FrugalError with the upstream's status and type, so a
 * client sees what it would have seen talking to the provider directly. Keys are redacted from the message.
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
  const upstreamCode = typeof error?.code === 'string' ? error.code : null;
  return new FrugalError(status === 429 ? 'upstream_rate_limited' : 'upstream_error', `Provider '${provider}': ${redactSecrets(rawMessage, secrets)}`, {
    status,
    type: typeof error?.type === 'string' ? error.type : undefined,
    param: typeof error?.param === 'string' ? error.param : null,
    retryAfterSeconds: parseRetryAfter(retryAfterHeader),
    retryable: isRetryableStatus(status),
    upstreamCode,
  });
}
