import { saveIfStillStored, type ResponseStore, type StoredResponse } from '../responses/response-store.js';
import type { IpcPeer } from './ipc-peer.js';

/**
 * A worker's ResponseStore when the ledger is off (no database to keep stored responses in): every save, get and
 * delete runs on the primary's one in-memory store, so a response created on one worker is found by
 * `previous_response_id` or GET on any other (each worker with a store of its own answered 404 for about half).
 * `migrate` and `close` leave the primary's store alone: it is shared.
 *
 * @example
 * const responses = createIpcResponseStore(createIpcPeer(parentChannel()));
 */
export function createIpcResponseStore(primary: IpcPeer): ResponseStore {
  return {
    description: "the primary process's memory (shared by every worker; bounded, lost on restart)",
    async migrate() {},
    async save(stored) {
      await primary.call<null>('responses.save', stored);
    },
    // JSON has no undefined: a missing response comes back as null.
    get: async (id, owner) => (await primary.call<StoredResponse | null>('responses.get', id, owner)) ?? undefined,
    delete: (id, owner) => primary.call<boolean>('responses.delete', id, owner),
    // On the primary in one step: a DELETE from another worker cannot land between a check and a save.
    replace: (stored) => primary.call<boolean>('responses.replace', stored),
    async close() {},
  };
}

/** The primary's side: answers a worker's stored-response calls from `store` (the one memory store of the cluster). */
export function serveResponseStore(worker: IpcPeer, store: ResponseStore): void {
  worker.handle('responses.save', async (stored: StoredResponse) => {
    await store.save(stored);
    return null;
  });
  worker.handle('responses.get', async (id: string, owner: string | null) => (await store.get(id, owner)) ?? null);
  worker.handle('responses.delete', (id: string, owner: string | null) => store.delete(id, owner));
  worker.handle('responses.replace', (stored: StoredResponse) => saveIfStillStored(store, stored));
}
