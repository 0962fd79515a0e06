import { FrugalError } from '../errors/frugal-error.js';

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
    default:
      if (error instanceof SyntaxError) return new FrugalError('invalid_json', `The request body is not valid JSON: ${error.message}`);
      return error;
  }
}
