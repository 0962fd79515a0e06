import type { ResponseObject, StoredInputItem } from '../wire/responses/responses-types.js';

/** One stored response: what GET returns, the input it was given, and who may see it. */
export interface StoredResponse {
  id: string;
  /** The virtual key's id that created it; null when the gateway runs without keys. Only it may read the response. */
  owner: string | null;
  /** ms since the epoch. */
  createdAt: number;
  previousResponseId: string | null;
  /** This request's own input items (earlier turns stay with their own responses), references resolved. */
  inputItems: StoredInputItem[];
  response: ResponseObject;
}

/**
 * Where stored responses live: SQLite or PostgreSQL beside the ledger, or memory when there is no ledger.
 * Every read and delete is scoped to the owner: another key's response is indistinguishable from a missing
 * one. All three pass the conformance suite in response-store.case.ts.
 */
export interface ResponseStore {
  /** Where responses are kept, for the start-up line. */
  readonly description: string;
  /** Brings the schema up to date. Idempotent, and safe when two processes start at once. */
  migrate(): Promise<void>;
  /** Saves a response; saving the same id again replaces it. */
  save(stored: StoredResponse): Promise<void>;
  /**
   * Replaces a response that is still stored, in one statement; false, and nothing saved, when it is gone. A stream's
   * last save uses it, so a DELETE made while the response streamed is never undone by the stream's end.
   * Optional for stores that cannot (the cluster's IPC store): `saveIfStillStored` falls back to read-then-save.
   */
  replace?(stored: StoredResponse): Promise<boolean>;
  get(id: string, owner: string | null): Promise<StoredResponse | undefined>;
  /** True when the owner's response existed and is gone. */
  delete(id: string, owner: string | null): Promise<boolean>;
  close(): Promise<void>;
}

/** The owner column: '' for the keyless gateway, so equality works the same in every SQL dialect. */
export function ownerColumn(owner: string | null): string {
  return owner ?? '';
}

/**
 * Saves `stored` only over a copy still in the store (see `ResponseStore.replace`). Without `replace`, a read then a
 * save: a DELETE landing between the two is undone, a window of one round trip instead of a whole stream.
 */
export async function saveIfStillStored(store: ResponseStore, stored: StoredResponse): Promise<boolean> {
  if (store.replace) return store.replace(stored);
  if ((await store.get(stored.id, stored.owner)) === undefined) return false;
  await store.save(stored);
  return true;
}
