import type { FastifyRequest } from 'fastify';
import { FrugalError } from '../errors/frugal-error.js';

// Every header a key is read from (keys/extract-presented-key.ts).
const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'api-key']);

/**
 * Refuses a request that carries a credential header more than once. Node keeps the first `Authorization` and drops
 * the rest (and joins repeated `x-api-key`s), while a proxy in front may check the last: the two would then act on
 * different keys, e.g. a stolen master key first and a key the proxy vetted second. As with non-canonical paths, one
 * reading for everyone: an ambiguous request is refused before any route or key check.
 */
export function refuseRepeatedCredentials(request: FastifyRequest): void {
  const raw = request.raw.rawHeaders;
  const seen = new Set<string>();
  // rawHeaders alternates names and values, names as the client spelt them.
  for (let index = 0; index < raw.length; index += 2) {
    // Only a name of a credential header's length is lower-cased: no string made per header per request.
    const length = raw[index].length;
    if (length !== 13 && length !== 9 && length !== 7) continue;
    const name = raw[index].toLowerCase();
    if (!CREDENTIAL_HEADERS.has(name)) continue;
    if (seen.has(name)) throw new FrugalError('invalid_request', `The ${name} header is given more than once; send one credential.`);
    seen.add(name);
  }
}
