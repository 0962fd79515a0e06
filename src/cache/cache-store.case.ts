import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedEntry, CacheStore } from './cache-store.js';

export interface CacheStoreHarness {
  store: CacheStore;
  /** Makes `seconds` pass for the store's TTLs (a fake clock, or a real wait where time cannot be faked). */
  advanceSeconds(seconds: number): Promise<void>;
  /** Writes a raw value under a key, as a foreign or broken writer would. */
  writeRaw(key: string, value: string): Promise<void>;
  cleanUp?(): Promise<void>;
}

export function sampleEntry(text = 'Paris.', costNanos = 1_250): CachedEntry {
  return {
    response: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_763_856_000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 } },
    },
    servedModel: 'gpt-4o-mini',
    provider: 'openai',
    usage: { promptTokens: 12, completionTokens: 2, cachedPromptTokens: 0 },
    costNanos,
    createdAt: 1_763_856_000_000,
  };
}

/**
 * The behaviour every CacheStore must have. A backend's test file only builds a harness and calls this.
 * (Named `.case.ts` so vitest does not run it on its own.)
 */
export function describeCacheStoreConformance(name: string, createHarness: () => Promise<CacheStoreHarness>) {
  describe(`${name}: CacheStore conformance`, () => {
    let harness: CacheStoreHarness;
    beforeAll(async () => {
      harness = await createHarness();
    });
    afterAll(async () => {
      await harness?.cleanUp?.();
      await harness?.store.close();
    });

    it('returns undefined for a key never set', async () => {
      expect(await harness.store.get('never-set')).toBeUndefined();
    });

    it('returns what was set, deep-equal', async () => {
      const entry = sampleEntry('Paris.', 987_654_321);
      await harness.store.set('round-trip', entry, 60);
      expect(await harness.store.get('round-trip')).toEqual(entry);
    });

    it('keeps keys apart', async () => {
      await harness.store.set('apart-a', sampleEntry('A'), 60);
      await harness.store.set('apart-b', sampleEntry('B'), 60);
      expect((await harness.store.get('apart-a'))?.response.choices[0].message.content).toBe('A');
      expect((await harness.store.get('apart-b'))?.response.choices[0].message.content).toBe('B');
    });

    it('overwrites an entry set again', async () => {
      await harness.store.set('overwrite', sampleEntry('old'), 60);
      await harness.store.set('overwrite', sampleEntry('new'), 60);
      expect((await harness.store.get('overwrite'))?.response.choices[0].message.content).toBe('new');
    });

    it('deletes an entry', async () => {
      await harness.store.set('deleted', sampleEntry(), 60);
      await harness.store.delete('deleted');
      expect(await harness.store.get('deleted')).toBeUndefined();
    });

    it('hands out copies: editing a served entry does not change the cache', async () => {
      await harness.store.set('copies', sampleEntry('original'), 60);
      const served = await harness.store.get('copies');
      served!.response.choices[0].message.content = 'edited by a caller';
      served!.response.usage!.cost = 1;
      const again = await harness.store.get('copies');
      expect(again?.response.choices[0].message.content).toBe('original');
      expect(again?.response.usage?.cost).toBeUndefined();
    });

    it('is not changed by editing the entry object after set', async () => {
      const entry = sampleEntry('before');
      await harness.store.set('after-set', entry, 60);
      entry.response.choices[0].message.content = 'after';
      expect((await harness.store.get('after-set'))?.response.choices[0].message.content).toBe('before');
    });

    it('keeps unicode and tool calls intact', async () => {
      const entry = sampleEntry('Grüße, 世界 👋');
      entry.response.choices[0].message.tool_calls = [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":"ü"}' } }];
      await harness.store.set('unicode', entry, 60);
      expect(await harness.store.get('unicode')).toEqual(entry);
    });

    it('treats a value that is not a cached entry as a miss', async () => {
      await harness.writeRaw('corrupt-json', '{"response":');
      await harness.writeRaw('foreign-shape', JSON.stringify({ hello: 'world' }));
      expect(await harness.store.get('corrupt-json')).toBeUndefined();
      expect(await harness.store.get('foreign-shape')).toBeUndefined();
    });

    it('rejects a TTL that is not positive', async () => {
      await expect(harness.store.set('bad-ttl', sampleEntry(), 0)).rejects.toThrow(RangeError);
      await expect(harness.store.set('bad-ttl', sampleEntry(), Number.NaN)).rejects.toThrow(RangeError);
    });

    it('expires an entry after its TTL and keeps one whose TTL has not passed', async () => {
      await harness.store.set('short-lived', sampleEntry('short'), 1);
      await harness.store.set('long-lived', sampleEntry('long'), 3_600);
      expect(await harness.store.get('short-lived')).toBeDefined();
      await harness.advanceSeconds(1.2);
      expect(await harness.store.get('short-lived')).toBeUndefined();
      expect((await harness.store.get('long-lived'))?.response.choices[0].message.content).toBe('long');
    });
  });
}
