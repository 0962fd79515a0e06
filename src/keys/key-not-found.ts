import { FrugalError } from '../errors/frugal-error.js';
import { isKeyId } from './key-secret.js';

/** not_found for a key id; an argument that is not shaped like an id may be a pasted plaintext, so it is never echoed. */
export function keyNotFound(id: string): FrugalError {
  const shown = isKeyId(id) ? `'${id}'` : 'given (key ids look like vk_ followed by 12 letters and digits)';
  return new FrugalError('not_found', `No virtual key with the id ${shown}.`, { param: 'id' });
}
