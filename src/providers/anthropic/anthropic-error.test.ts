import { describe, expect, it } from 'vitest';
import { anthropicStreamError, anthropicUpstreamError } from './anthropic-error.js';

function body(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_011CTest' });
}

describe('anthropicUpstreamError', () => {
  it('turns overloaded (529) into a retryable 503 with the Anthropic type as upstream code', () => {
    const error = anthropicUpstreamError('claude', { status: 529, bodyText: body('overloaded_error', 'Overloaded'), headers: {} }, []);
    expect(error.code).toBe('upstream_error');
    expect(error.status).toBe(503);
    expect(error.type).toBe('server_error');
    expect(error.retryable).toBe(true);
    expect(error.upstreamCode).toBe('overloaded_error');
    expect(error.message).toBe("Provider 'claude': Overloaded");
  });

  it('marks 429 as rate limited and reads Retry-After in seconds', () => {
    const error = anthropicUpstreamError(
      'claude',
      { status: 429, bodyText: body('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), headers: { 'retry-after': '17' } },
      [],
    );
    expect(error).toMatchObject({ code: 'upstream_rate_limited', status: 429, type: 'rate_limit_error', retryable: true, retryAfterSeconds: 17, upstreamCode: 'rate_limit_error' });
  });

  it('reads an HTTP-date Retry-After against the given clock', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const error = anthropicUpstreamError(
      'claude',
      { status: 429, bodyText: body('rate_limit_error', 'slow down'), headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' } },
      [],
      now,
    );
    expect(error.retryAfterSeconds).toBe(30);
  });

  it.each([
    [400, 'invalid_request_error', 'invalid_request_error', false],
    [404, 'not_found_error', 'not_found_error', false],
    [413, 'request_too_large', 'invalid_request_error', false],
    [500, 'api_error', 'api_error', true],
  ] as const)('keeps status %i (%s) and decides retryable=%s', (status, anthropicType, openAIType, retryable) => {
    const error = anthropicUpstreamError('claude', { status, bodyText: body(anthropicType, 'x'), headers: {} }, []);
    expect(error).toMatchObject({ code: 'upstream_error', status, type: openAIType, retryable, upstreamCode: anthropicType });
  });

  it.each([
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
  ] as const)('makes a %i (%s: the gateway\'s own key or account) a 502 failure of the deployment, never the caller\'s', (status, anthropicType) => {
    const error = anthropicUpstreamError('claude', { status, bodyText: body(anthropicType, 'x'), headers: {} }, []);
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, type: 'api_error', retryable: true, upstreamFailure: true, upstreamCode: 'provider_credentials_rejected' });
    expect(error.message).toContain("Provider 'claude' refused the gateway's own credentials");
  });

  it('lets x-should-retry override the status rule', () => {
    const error = anthropicUpstreamError('claude', { status: 500, bodyText: body('api_error', 'x'), headers: { 'x-should-retry': 'false' } }, []);
    expect(error.retryable).toBe(false);
    const retried = anthropicUpstreamError('claude', { status: 400, bodyText: body('invalid_request_error', 'x'), headers: { 'x-should-retry': 'true' } }, []);
    expect(retried.retryable).toBe(true);
  });

  it('never repeats the API key an upstream echoes back', () => {
    const key = 'sk-ant-api03-SECRETSECRETSECRET';
    const error = anthropicUpstreamError('claude', { status: 401, bodyText: body('authentication_error', `invalid x-api-key ${key}`), headers: {} }, [key]);
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain('SECRETSECRET');
  });

  it('copes with a body that is not JSON (a proxy page)', () => {
    const error = anthropicUpstreamError('claude', { status: 502, bodyText: '<html>Bad Gateway</html>', headers: {} }, []);
    expect(error).toMatchObject({ code: 'upstream_error', status: 502, retryable: true, upstreamCode: null });
    expect(error.message).toBe("Provider 'claude': HTTP 502");
  });
});

describe('anthropicStreamError', () => {
  it('makes an overloaded event mid-stream a retryable error', () => {
    const error = anthropicStreamError('claude', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, []);
    expect(error).toMatchObject({ code: 'upstream_error', status: 503, retryable: true, upstreamCode: 'overloaded_error' });
  });

  it('makes an invalid-request event not retryable', () => {
    const error = anthropicStreamError('claude', { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }, []);
    expect(error).toMatchObject({ status: 400, retryable: false, upstreamCode: 'invalid_request_error' });
  });
});
