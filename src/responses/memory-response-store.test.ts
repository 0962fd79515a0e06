import { expect, it } from 'vitest';
import { createMemoryResponseStore } from './memory-response-store.js';
import { describeResponseStoreConformance, storedResponse } from './response-store.case.js';

describeResponseStoreConformance('memory', async () => ({ durable: false, open: () => createMemoryResponseStore(), cleanUp: async () => {} }));

it('evicts the least recently used response past its bound', async () => {
  const store = createMemoryResponseStore({ maxResponses: 2 });
  await store.save(storedResponse(1, null));
  await store.save(storedResponse(2, null));
  await store.get(storedResponse(1, null).id, null);
  await store.save(storedResponse(3, null));
  expect(await store.get(storedResponse(2, null).id, null)).toBeUndefined();
  expect(await store.get(storedResponse(1, null).id, null)).toBeDefined();
  expect(await store.get(storedResponse(3, null).id, null)).toBeDefined();
});
