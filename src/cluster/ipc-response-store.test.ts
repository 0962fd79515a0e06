import { expect, it } from 'vitest';
import { createMemoryResponseStore } from '../responses/memory-response-store.js';
import { describeResponseStoreConformance, storedResponse } from '../responses/response-store.case.js';
import type { ResponseStore } from '../responses/response-store.js';
import { loopbackChannels } from './ipc-channel.js';
import { createIpcPeer } from './ipc-peer.js';
import { createIpcResponseStore, serveResponseStore } from './ipc-response-store.js';

/** Workers' stores over JSON pipes to one primary memory store, as `frugal serve --workers N` runs them with the ledger off. */
function workerStores(count: number, primaryStore: ResponseStore = createMemoryResponseStore()) {
  return Array.from({ length: count }, () => {
    const pipe = loopbackChannels();
    serveResponseStore(createIpcPeer(pipe.left), primaryStore);
    return createIpcResponseStore(createIpcPeer(pipe.right));
  });
}

// Not durable: like the memory store it is, nothing outlives the primary.
describeResponseStoreConformance('ipc to the primary', async () => ({ durable: false, open: () => workerStores(1)[0], cleanUp: async () => {} }));

it('finds on one worker the response another worker saved, and a delete on one is seen by the other', async () => {
  const [first, second] = workerStores(2);
  const saved = storedResponse(7, 'vk_owner');
  await first.save(saved);
  expect((await second.get(saved.id, 'vk_owner'))?.response.id).toBe(saved.id);
  expect(await second.get(saved.id, 'vk_other')).toBeUndefined();
  expect(await second.delete(saved.id, 'vk_owner')).toBe(true);
  expect(await first.get(saved.id, 'vk_owner')).toBeUndefined();
  expect(first.description).toMatch(/shared by every worker/);
});
