import { describe, expect, it } from 'vitest';
import type { ErrorCode } from './error-codes.js';
import { FrugalError } from './frugal-error.js';
import { toAnthropicError } from './to-anthropic-error.js';

describe('toAnthropicError', () => {
  it.each([
    ['invalid_request', 400, 'invalid_request_error'],
    ['invalid_api_key', 401, 'authentication_error'],
    ['permission_denied', 403, 'permission_error'],
    ['model_not_found', 404, 'not_found_error'],
    ['not_found', 404, 'not_found_error'],
    ['payload_too_large', 413, 'request_too_large'],
    ['rate_limit_exceeded', 429, 'rate_limit_error'],
    ['budget_exceeded', 429, 'rate_limit_error'],
    ['cost_ceiling_exceeded', 402, 'invalid_request_error'],
    ['upstream_error', 502, 'api_error'],
    ['upstream_timeout', 504, 'timeout_error'],
    ['circuit_open', 503, 'overloaded_error'],
    ['shutdown', 503, 'overloaded_error'],
  ] as Array<[ErrorCode, number, string]>)('renders %s as %i %s', (code, status, type) => {
    const rendered = toAnthropicError(new FrugalError(code, 'Something is wrong.'));
    expect(rendered.status).toBe(status);
    expect(rendered.body).toEqual({ type: 'error', error: { type, message: 'Something is wrong.' } });
  });

  it('keeps an upstream’s 529 as overloaded_error with its retry-after', () => {
    const rendered = toAnthropicError(new FrugalError('upstream_error', 'Overloaded', { status: 529, retryAfterSeconds: 2.5 }));
    expect(rendered).toEqual({ status: 529, headers: { 'retry-after': '3' }, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
  });

  it('answers an Anthropic upstream’s overload with Anthropic’s 529, though the error carries 503 for OpenAI clients', () => {
    const overloaded = new FrugalError('upstream_error', "Provider 'anthropic': Overloaded", { status: 503, upstreamCode: 'overloaded_error', retryAfterSeconds: 2 });
    expect(toAnthropicError(overloaded)).toEqual({ status: 529, headers: { 'retry-after': '2' }, body: { type: 'error', error: { type: 'overloaded_error', message: "Provider 'anthropic': Overloaded" } } });
    // Frugal's own 503s (every deployment out of rotation) stay 503.
    expect(toAnthropicError(new FrugalError('circuit_open', 'Out of rotation.')).status).toBe(503);
  });

  it('keeps the error type an Anthropic upstream sent rather than guessing it from the status', () => {
    const billing = toAnthropicError(new FrugalError('upstream_error', 'Billing', { status: 402, upstreamCode: 'billing_error' }));
    expect(billing).toMatchObject({ status: 402, body: { error: { type: 'billing_error' } } });
    const timeout = toAnthropicError(new FrugalError('upstream_timeout', 'Timed out', { status: 504, upstreamCode: 'timeout_error' }));
    expect(timeout).toMatchObject({ status: 504, body: { error: { type: 'timeout_error' } } });
    // An OpenAI-compatible upstream's own codes are not Anthropic types: the status decides.
    expect(toAnthropicError(new FrugalError('upstream_error', 'x', { status: 400, upstreamCode: 'context_length_exceeded' })).body.error.type).toBe('invalid_request_error');
  });

  it('tells Anthropic SDKs not to retry an exhausted budget', () => {
    expect(toAnthropicError(new FrugalError('budget_exceeded', 'Budget spent.')).headers['x-should-retry']).toBe('false');
  });

  it('never leaks the message of an unexpected error', () => {
    expect(toAnthropicError(new Error('secret sk-live-123'))).toEqual({ status: 500, headers: {}, body: { type: 'error', error: { type: 'api_error', message: 'Internal error in the gateway.' } } });
  });
});
