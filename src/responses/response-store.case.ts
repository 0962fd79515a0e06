import { afterAll, describe, expect, it } from 'vitest';
import type { ResponseObject } from '../wire/responses/responses-types.js';
import type { ResponseStore, StoredResponse } from './response-store.js';

export interface ResponseStoreFactory {
  /** A store on the database called `name`: new and empty the first time, the same database when called again. */
  open(name: string): ResponseStore;
  /** Removes every database this factory made. */
  cleanUp(): Promise<void>;
  /** False for the in-memory store: nothing outlives the instance. */
  durable: boolean;
}

const HEX = (n: number) => n.toString(16).padStart(32, '0');

export function storedResponse(n: number, owner: string | null, overrides: Partial<StoredResponse> = {}): StoredResponse {
  const id = `resp_${HEX(n)}`;
  const response: ResponseObject = {
    id,
    object: 'response',
    created_at: 1_765_000_000 + n,
    status: 'completed',
    completed_at: 1_765_000_001 + n,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: 'gpt-4o-mini',
    // Text a careless store would mangle: a NUL, an emoji, a lone surrogate, quotes and a newline.
    output: [{ type: 'message', id: `msg_${HEX(n)}_0`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: `answer ${n} \u0000 🙂 \ud800 "q"\n`, annotations: [] }] }],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    background: false,
    service_tier: 'default',
    usage: { input_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 7, cost: 1.5e-7 },
    user: null,
    metadata: { feature: 'chat' },
  };
  return {
    id,
    owner,
    createdAt: 1_765_000_000_000 + n,
    previousResponseId: null,
    inputItems: [{ type: 'message', id: `item_${HEX(n)}_in0`, role: 'user', content: [{ type: 'input_text', text: `question ${n}` }] }],
    response,
    ...overrides,
  };
}

/** The behaviour every response store shares (SQLite, PostgreSQL, memory); a backend's test file is a few lines. */
export function describeResponseStoreConformance(name: string, makeFactory: () => Promise<ResponseStoreFactory>) {
  describe(`response store conformance: ${name}`, () => {
    const opened: ResponseStore[] = [];
    let factory: ResponseStoreFactory | undefined;
    async function open(database: string): Promise<ResponseStore> {
      factory ??= await makeFactory();
      const store = factory.open(database);
      opened.push(store);
      await store.migrate();
      return store;
    }
    afterAll(async () => {
      for (const store of opened) await store.close();
      await factory?.cleanUp();
    });

    it('returns a saved response exactly as it was saved, text included', async () => {
      const store = await open('round-trip');
      const saved = storedResponse(1, 'key_a', { previousResponseId: `resp_${HEX(0)}` });
      await store.save(saved);
      expect(await store.get(saved.id, 'key_a')).toEqual(saved);
    });

    it('keeps each key to its own responses: another key reads, deletes and overwrites nothing', async () => {
      const store = await open('tenancy');
      const mine = storedResponse(2, 'key_a');
      await store.save(mine);
      expect(await store.get(mine.id, 'key_b')).toBeUndefined();
      expect(await store.get(mine.id, null)).toBeUndefined();
      expect(await store.delete(mine.id, 'key_b')).toBe(false);
      await store.save(storedResponse(2, 'key_b', { inputItems: [] }));
      expect(await store.get(mine.id, 'key_a')).toEqual(mine);
      expect(await store.get(mine.id, 'key_b')).toBeUndefined();
    });

    it('keeps the keyless gateway’s responses apart from keyed ones', async () => {
      const store = await open('keyless');
      const open_ = storedResponse(3, null);
      await store.save(open_);
      expect(await store.get(open_.id, null)).toEqual(open_);
      expect(await store.get(open_.id, 'key_a')).toBeUndefined();
    });

    it('deletes a response once; it is gone afterwards', async () => {
      const store = await open('delete');
      const saved = storedResponse(4, 'key_a');
      await store.save(saved);
      expect(await store.delete(saved.id, 'key_a')).toBe(true);
      expect(await store.delete(saved.id, 'key_a')).toBe(false);
      expect(await store.get(saved.id, 'key_a')).toBeUndefined();
    });

    it('replaces a response saved again under the same id by its owner', async () => {
      const store = await open('replace');
      const first = storedResponse(5, 'key_a');
      await store.save(first);
      const second = { ...first, response: { ...first.response, status: 'incomplete' as const } };
      await store.save(second);
      expect((await store.get(first.id, 'key_a'))?.response.status).toBe('incomplete');
    });

    it('replaces only a response still stored: one deleted stays deleted, another key’s is left alone', async () => {
      const store = await open('replace-if-stored');
      const streaming = storedResponse(7, 'key_a', { response: { ...storedResponse(7, 'key_a').response, status: 'in_progress' } });
      await store.save(streaming);
      const finished = storedResponse(7, 'key_a');
      expect(await store.replace!(finished)).toBe(true);
      expect(await store.get(finished.id, 'key_a')).toEqual(finished);
      expect(await store.replace!({ ...finished, owner: 'key_b' })).toBe(false);
      expect(await store.delete(finished.id, 'key_a')).toBe(true);
      expect(await store.replace!(finished)).toBe(false);
      expect(await store.get(finished.id, 'key_a')).toBeUndefined();
    });

    it('migrates twice without harm and, when durable, keeps responses across instances', async () => {
      const store = await open('reopen');
      const saved = storedResponse(6, 'key_a');
      await store.save(saved);
      await store.migrate();
      const again = await open('reopen');
      expect(await again.get(saved.id, 'key_a')).toEqual(factory!.durable ? saved : undefined);
    });
  });
}
