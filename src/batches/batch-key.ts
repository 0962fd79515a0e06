import type { KeyStore } from '../keys/key-store.js';
import { keyStatus, type VirtualKey } from '../keys/virtual-key.js';
import type { StoredBatch } from './batch-types.js';

export const KEY_GONE_CODE = 'key_revoked';
export const KEY_GONE_MESSAGE = 'This request was not executed because the key that created the batch was revoked or has expired.';

/** How long one look at a key stands for the lines after it: a revoke stops a batch within this, without a query per line. */
const LOOK_MS = 1_000;

export interface BatchKeys {
  /**
   * The key a batch's lines run under now: its current settings (permissions, limits, budget), null when it was
   * revoked or expired since the batch was accepted (its remaining lines must not run), undefined for a batch made
   * without a key.
   */
  inForce(batch: Pick<StoredBatch, 'caller'>): Promise<VirtualKey | null | undefined>;
}

/**
 * Looks up a batch's key in the key store at most once a second per key. Batches run for up to a day: a key
 * revoked because it leaked must stop spending at once, not after its batch's 50 000 lines.
 *
 * @example
 * const keys = batchKeys(keyStore);
 * if ((await keys.inForce(batch)) === null) failLine(…);
 */
export function batchKeys(store: Pick<KeyStore, 'get'>, now: () => number = Date.now): BatchKeys {
  const looked = new Map<string, { key: VirtualKey | null; until: number }>();
  return {
    async inForce(batch) {
      const id = batch.caller.keyId;
      if (!id) return undefined;
      const seen = looked.get(id);
      if (seen && seen.until > now()) return seen.key;
      const found = await store.get(id);
      const key = found && keyStatus(found, now()) === 'active' ? found : null;
      looked.set(id, { key, until: now() + LOOK_MS });
      if (looked.size > 10_000) looked.delete(looked.keys().next().value as string);
      return key;
    },
  };
}
