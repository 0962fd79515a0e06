import { PROVIDER_CREDENTIALS_REJECTED } from '../errors/error-codes.js';
import { FrugalError } from '../errors/frugal-error.js';

/** A short reason for the decision path: "429", "timeout", "unreachable", "circuit_open", "ttft", "credentials", "skip:tpm". */
export function failureLabel(error: unknown): string {
  if (!(error instanceof FrugalError)) return 'error';
  if (error.upstreamCode === PROVIDER_CREDENTIALS_REJECTED) return 'credentials';
  if (error.upstreamCode === 'first_token_timeout') return 'ttft';
  if (error.upstreamCode?.startsWith('unfit:')) return `skip:${error.upstreamCode.slice(6)}`;
  // A load-balanced deployment over its own RPM/TPM (strategies/deployment-limit.ts).
  if (error.upstreamCode?.startsWith('deployment_limit:')) return `skip:${error.upstreamCode.slice(17)}`;
  switch (error.code) {
    case 'upstream_timeout':
      return 'timeout';
    case 'upstream_unreachable':
      return 'unreachable';
    case 'upstream_bad_response':
      return 'bad_response';
    case 'circuit_open':
      return 'circuit_open';
    case 'upstream_error':
    case 'upstream_rate_limited':
      return String(error.status);
    default:
      return error.code;
  }
}
