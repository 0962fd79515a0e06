import { FrugalError } from './frugal-error.js';

/** What a storage driver said went wrong (its messages name the problem and the server, never a password). */
export function failureReason(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * A store's driver failure as a retryable internal error naming the store and the operation; a FrugalError
 * (a refusal the store decided on) passes through unchanged.
 *
 * @example
 * storeError('key store (sqlite)', 'revoke', error); // "key store (sqlite): revoke failed: SQLITE_BUSY …"
 */
export function storeError(store: string, operation: string, error: unknown): FrugalError {
  if (error instanceof FrugalError) return error;
  return new FrugalError('internal_error', `${store}: ${operation} failed: ${failureReason(error)}`, { cause: error, retryable: true });
}
