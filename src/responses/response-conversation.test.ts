import { describe, expect, it } from 'vitest';
import { createMemoryResponseStore } from './memory-response-store.js';
import { MAX_CHAIN_LENGTH, resolveConversation } from './response-conversation.js';
import { storedResponse } from './response-store.case.js';

const hex = (n: number) => n.toString(16).padStart(32, '0');
const NEW_ID = `resp_${'f'.repeat(32)}`;

describe('resolveConversation', () => {
  it('rebuilds the chain oldest first: each response’s input then its output, then the new input', async () => {
    const store = createMemoryResponseStore();
    await store.save(storedResponse(1, 'k'));
    await store.save(storedResponse(2, 'k', { previousResponseId: `resp_${hex(1)}` }));
    const { history, inputItems } = await resolveConversation(store, 'k', { model: 'm', previous_response_id: `resp_${hex(2)}`, input: 'next' }, NEW_ID);
    expect(history.map((item) => item.id)).toEqual([`item_${hex(1)}_in0`, `msg_${hex(1)}_0`, `item_${hex(2)}_in0`, `msg_${hex(2)}_0`]);
    expect(inputItems).toEqual([{ type: 'message', id: `item_${'f'.repeat(32)}_in0`, role: 'user', content: 'next' }]);
  });

  it('says which response of the chain is missing, as OpenAI’s 400 previous_response_not_found', async () => {
    const store = createMemoryResponseStore();
    await store.save(storedResponse(2, 'k', { previousResponseId: `resp_${hex(1)}` }));
    await expect(resolveConversation(store, 'k', { model: 'm', previous_response_id: `resp_${hex(2)}` }, NEW_ID)).rejects.toMatchObject({
      status: 400,
      upstreamCode: 'previous_response_not_found',
      param: 'previous_response_id',
      message: expect.stringContaining(`resp_${hex(1)}`),
    });
    await expect(resolveConversation(store, 'other', { model: 'm', previous_response_id: `resp_${hex(2)}` }, NEW_ID)).rejects.toMatchObject({ status: 400, upstreamCode: 'previous_response_not_found' });
  });

  it('refuses a chain longer than its bound rather than walking it', async () => {
    const store = createMemoryResponseStore({ maxResponses: MAX_CHAIN_LENGTH + 2 });
    for (let n = 1; n <= MAX_CHAIN_LENGTH + 1; n += 1) await store.save(storedResponse(n, null, { previousResponseId: n === 1 ? null : `resp_${hex(n - 1)}` }));
    await expect(resolveConversation(store, null, { model: 'm', previous_response_id: `resp_${hex(MAX_CHAIN_LENGTH + 1)}` }, NEW_ID)).rejects.toMatchObject({ status: 400, code: 'limit_exceeded' });
  });

  it('replaces references by the stored items, keeps given ids and drops reasoning items', async () => {
    const store = createMemoryResponseStore();
    await store.save(storedResponse(3, 'k'));
    const { inputItems } = await resolveConversation(
      store,
      'k',
      { model: 'm', input: [{ type: 'item_reference', id: `msg_${hex(3)}_0` }, { type: 'reasoning', id: 'rs_1' }, { role: 'user', content: 'x', id: 'msg_mine' }] },
      NEW_ID,
    );
    expect(inputItems.map((item) => item.id)).toEqual([`msg_${hex(3)}_0`, 'msg_mine']);
    expect(inputItems[0]).toMatchObject({ role: 'assistant', type: 'message' });
  });
});
