import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import { FrugalError } from './frugal-error.js';
import { toOpenAIError } from './to-openai-error.js';

/**
 * The catalog as clients see it, written out by hand. Clients branch on these codes, statuses and types (the
 * SDKs pick their error class by status), so changing one is an API change: it must be made here too, on purpose.
 */
const PINNED: ReadonlyArray<readonly [ErrorCode, number, string]> = [
  ['invalid_json', 400, 'invalid_request_error'],
  ['invalid_request', 400, 'invalid_request_error'],
  ['invalid_path', 400, 'invalid_request_error'],
  ['limit_exceeded', 400, 'invalid_request_error'],
  ['uri_too_long', 414, 'invalid_request_error'],
  ['headers_too_large', 431, 'invalid_request_error'],
  ['request_timeout', 408, 'invalid_request_error'],
  ['expectation_failed', 417, 'invalid_request_error'],
  ['model_not_found', 404, 'invalid_request_error'],
  ['route_not_found', 404, 'invalid_request_error'],
  ['not_found', 404, 'not_found_error'],
  ['payload_too_large', 413, 'invalid_request_error'],
  ['unsupported_media_type', 415, 'invalid_request_error'],
  ['invalid_api_key', 401, 'authentication_error'],
  ['permission_denied', 403, 'permission_error'],
  ['budget_exceeded', 429, 'insufficient_quota'],
  ['cost_ceiling_exceeded', 402, 'insufficient_quota'],
  ['rate_limit_exceeded', 429, 'rate_limit_error'],
  ['upstream_error', 502, 'api_error'],
  ['upstream_rate_limited', 429, 'rate_limit_error'],
  ['upstream_unreachable', 502, 'api_error'],
  ['upstream_timeout', 504, 'api_error'],
  ['upstream_bad_response', 502, 'api_error'],
  ['circuit_open', 503, 'api_error'],
  ['quality_check_failed', 502, 'api_error'],
  ['not_supported', 400, 'invalid_request_error'],
  ['config_invalid', 500, 'server_error'],
  ['shutdown', 503, 'server_error'],
  ['worker_exited', 502, 'server_error'],
  ['internal_error', 500, 'server_error'],
];

describe('the error-code catalog', () => {
  it('holds exactly the pinned codes, each with its pinned status and type', () => {
    const catalog = Object.entries(ERROR_CODES).map(([code, info]) => [code, info.status, info.type]);
    expect(catalog.sort()).toEqual([...PINNED].map((entry) => [...entry]).sort());
  });

  it.each(PINNED)('renders %s as HTTP %i with type %s and the code itself in OpenAI’s error shape', (code, status, type) => {
    const rendered = toOpenAIError(new FrugalError(code, `a ${code} error`));
    expect(rendered.status).toBe(status);
    expect(rendered.body).toEqual({ error: { message: `a ${code} error`, type, param: null, code } });
  });

  it('renders anything that is not a FrugalError as internal_error without its message', () => {
    const rendered = toOpenAIError(new Error('secret detail sk-abc123456789'));
    expect(rendered).toEqual({ status: 500, headers: {}, body: { error: { message: 'Internal error in the gateway.', type: 'server_error', param: null, code: 'internal_error' } } });
  });
});
