import { ERROR_CODES, type ErrorCode, type OpenAIErrorType } from './error-codes.js';

export interface FrugalErrorOptions {
  /** The request field at fault, as OpenAI's `param`. */
  param?: string | null;
  /** Overrides the code's default status (upstream errors keep the upstream's status). */
  status?: number;
  /** Overrides the code's default OpenAI error type (upstream errors keep the upstream's type). */
  type?: OpenAIErrorType | string;
  /** Seconds, passed on as the Retry-After header. */
  retryAfterSeconds?: number;
  /** Reply headers the refusal carries besides Retry-After (OpenAI's x-ratelimit-* on a rate-limit 429). */
  headers?: Readonly<Record<string, string>>;
  /** Whether the same call may succeed if tried again (or on another deployment). */
  retryable?: boolean;
  /** The upstream's own error code, when it sent one, for the ledger. */
  upstreamCode?: string | null;
  /**
   * The deployment failed: it answered with a server error, broke the connection, sent garbage or timed out.
   * Only these count against its circuit breaker; errors raised on our side of the wire never set it.
   */
  upstreamFailure?: boolean;
  cause?: unknown;
}

/**
 * The one error type of the pipeline. It carries the decision (retryable, retry-after) so that
 * fallback code reads flags, never status numbers.
 */
export class FrugalError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly retryable: boolean;
  readonly upstreamCode: string | null;
  readonly upstreamFailure: boolean;

  constructor(code: ErrorCode, message: string, options: FrugalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FrugalError';
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.type = options.type ?? ERROR_CODES[code].type;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
    this.retryable = options.retryable ?? false;
    this.upstreamCode = options.upstreamCode ?? null;
    this.upstreamFailure = options.upstreamFailure ?? false;
  }
}

export function isFrugalError(value: unknown): value is FrugalError {
  return value instanceof FrugalError;
}
