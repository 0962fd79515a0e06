import type { ErrorCode } from '../errors/error-codes.js';
import { FrugalError } from '../errors/frugal-error.js';

// Fastify's other request errors carry an HTTP status; each status has one code in our catalog.
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  404: 'not_found',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

/** Fastify's own request errors (body parsing, limits, unknown routes) → our error codes. */
export function fromFastifyError(error: unknown): unknown {
  if (error instanceof FrugalError) return error;
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FrugalError('payload_too_large', 'The request body is larger than the gateway accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FrugalError('unsupported_media_type', 'The request body must be JSON (Content-Type: application/json).');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new FrugalError('invalid_json', 'The request body is empty; a JSON object was expected.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FrugalError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
    case 'FST_ERR_BAD_URL':
      return new FrugalError('invalid_path', 'The path holds a malformed percent-encoding.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new FrugalError('uri_too_long', 'A path segment is longer than the gateway accepts.');
    default:
      // FST_ERR_*: Fastify's own; other FST_*: its plugins' (@fastify/multipart: FST_FILES_LIMIT, FST_INVALID_JSON_FIELD_ERROR, …).
      if (typeof code === 'string' && code.startsWith('FST_')) {
        const status = (error as { statusCode?: number }).statusCode;
        // A client error Fastify raised (its messages hold no secrets); anything 5xx stays an internal error.
        if (status !== undefined && status >= 400 && status < 500) return new FrugalError(CODE_BY_STATUS[status] ?? 'invalid_request', (error as Error).message);
      }
      if (error instanceof SyntaxError) return new FrugalError('invalid_json', `The request body is not valid JSON: ${error.message}`);
      return error;
  }
}
