import type { FastifyRequest } from 'fastify';
import { FrugalError } from '../errors/frugal-error.js';
import { extractPresentedKey } from '../keys/extract-presented-key.js';
import { secretsMatch } from '../keys/key-secret.js';

/** A guessable master key would hand out every key; refuse to start with one. */
export const MIN_MASTER_KEY_LENGTH = 16;

/**
 * The onRequest hook of a route only the master key may call (`config: { access: 'master' }`): it runs before
 * the body is read, so an unauthenticated caller gets nothing parsed on its behalf. A master key shorter than
 * MIN_MASTER_KEY_LENGTH is refused here, at registration, as it is for the keys API.
 *
 * @example
 * app.post('/admin/reload', { onRequest: masterKeyGuard(config.masterKey), config: { access: 'master' } }, handler);
 */
export function masterKeyGuard(masterKey: string | undefined): (request: FastifyRequest) => Promise<void> {
  const master = masterKey ? masterKey : undefined;
  if (master !== undefined && master.length < MIN_MASTER_KEY_LENGTH) {
    throw new FrugalError('config_invalid', `FRUGAL_MASTER_KEY must be at least ${MIN_MASTER_KEY_LENGTH} characters (e.g. openssl rand -base64 32).`);
  }
  return async (request) => {
    if (master === undefined) {
      throw new FrugalError(
        'permission_denied',
        "The admin API is disabled because no master key is configured. Set FRUGAL_MASTER_KEY in the gateway's environment " +
          `(at least ${MIN_MASTER_KEY_LENGTH} characters, e.g. from openssl rand -base64 32), restart, and send it as Authorization: Bearer <master key>.`,
      );
    }
    const presented = extractPresentedKey(request.headers);
    if (presented === undefined || !secretsMatch(master, presented)) {
      throw new FrugalError('invalid_api_key', 'The admin API needs Authorization: Bearer <master key> (FRUGAL_MASTER_KEY); the key given is missing or wrong.');
    }
  };
}
