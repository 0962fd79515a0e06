import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../wire/chat-types.js';
import { sampleEntry } from '../cache-store.case.js';
import { createMemoryCacheStore } from '../memory-cache-store.js';
import type { Embedder } from './embedder.js';
import { createOfflineEmbedder } from './offline-embedder.js';
import { createSemanticCache, DEFAULT_SEMANTIC_THRESHOLD } from './semantic-cache.js';

const ask = (question: string, context: ChatMessage[] = [], fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gpt-4o-mini',
  messages: [...context, { role: 'user', content: question }],
  temperature: 0,
  ...fields,
});
const france: ChatMessage[] = [
  { role: 'user', content: 'What is the capital of France?' },
  { role: 'assistant', content: 'Paris.' },
];

function setup(overrides: { threshold?: number; routeThresholds?: Record<string, number>; embedder?: Embedder } = {}) {
  let clock = 1_763_856_000_000;
  const store = createMemoryCacheStore({ now: () => clock });
  const cache = createSemanticCache({ embedder: overrides.embedder ?? createOfflineEmbedder(), store, threshold: overrides.threshold ?? 0.9, routeThresholds: overrides.routeThresholds, now: () => clock });
  return { cache, store, advance: (ms: number) => (clock += ms) };
}

describe('createSemanticCache', () => {
  it('serves a near-identical question in the same context, with its similarity', async () => {
    const { cache } = setup();
    await cache.store(ask('What famous landmark can you find in Paris?', france), 'key:a', sampleEntry('The Eiffel Tower.'));
    const hit = await cache.lookup(ask('what famous landmarks can you find in Paris', france), 'key:a');
    expect(hit?.entry.response.choices[0].message.content).toBe('The Eiffel Tower.');
    expect(hit?.similarity).toBeGreaterThan(0.9);
    expect(hit?.similarity).toBeLessThanOrEqual(1.0001);
  });

  it('never serves the same question asked in another conversation, without context, or by another tenant', async () => {
    const { cache } = setup();
    await cache.store(ask('What famous landmark can you find in Paris?', france), 'key:a', sampleEntry('The Eiffel Tower.'));
    const water: ChatMessage[] = [{ role: 'user', content: 'Explain a water molecule.' }, { role: 'assistant', content: 'H2O.' }];
    expect(await cache.lookup(ask('What famous landmark can you find in Paris?', water), 'key:a')).toBeUndefined();
    expect(await cache.lookup(ask('What famous landmark can you find in Paris?'), 'key:a')).toBeUndefined();
    expect(await cache.lookup(ask('What famous landmark can you find in Paris?', france), 'key:b')).toBeUndefined();
    expect(await cache.lookup(ask('What famous landmark can you find in Paris?', france, { temperature: 0.2 }), 'key:a')).toBeUndefined();
  });

  it('never stores a tool call, whose arguments answer only the exact words asked', async () => {
    const { cache } = setup();
    const entry = sampleEntry('');
    entry.response.choices[0].message = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"London"}' } }] };
    await cache.store(ask('What is the weather in London today?', france), 'key:a', entry);
    expect(await cache.lookup(ask('What is the weather in London today?', france), 'key:a')).toBeUndefined();
  });

  it('misses a different question in the same context', async () => {
    const { cache } = setup();
    await cache.store(ask('What famous landmark can you find in Paris?', france), 'key:a', sampleEntry());
    expect(await cache.lookup(ask('How many people live in Paris?', france), 'key:a')).toBeUndefined();
  });

  it('applies a route threshold over the default', async () => {
    const { cache } = setup({ threshold: 0.5, routeThresholds: { strict: 0.9999 } });
    await cache.store(ask('How do I reset my password?', [], { model: 'strict' }), 's', sampleEntry());
    await cache.store(ask('How do I reset my password?', [], { model: 'loose' }), 's', sampleEntry());
    expect(await cache.lookup(ask('How can I reset my password?', [], { model: 'loose' }), 's')).toBeDefined();
    expect(await cache.lookup(ask('How can I reset my password?', [], { model: 'strict' }), 's')).toBeUndefined();
    expect(cache.thresholdFor('strict')).toBe(0.9999);
    expect(cache.thresholdFor('other')).toBe(0.5);
  });

  it('uses the embedder’s measured threshold, else 0.92', () => {
    const store = createMemoryCacheStore();
    const plain: Embedder = { id: 'plain', dimensions: 4, embed: async (texts) => texts.map(() => new Float32Array([1, 0, 0, 0])) };
    expect(createSemanticCache({ embedder: plain, store }).thresholdFor('any')).toBe(DEFAULT_SEMANTIC_THRESHOLD);
    expect(createSemanticCache({ embedder: { ...plain, suggestedThreshold: 0.97 }, store }).thresholdFor('any')).toBe(0.97);
    expect(() => createSemanticCache({ embedder: plain, store, threshold: 1.5 })).toThrow(RangeError);
  });

  it('stops serving an entry after its TTL', async () => {
    const { cache, advance } = setup();
    await cache.store(ask('How do I reset my password?'), 's', sampleEntry(), 60);
    expect(await cache.lookup(ask('How do I reset my password?'), 's')).toBeDefined();
    advance(61_000);
    expect(await cache.lookup(ask('How do I reset my password?'), 's')).toBeUndefined();
  });

  it('does not serve an entry the store lost, and forgets its vector', async () => {
    const { cache, store } = setup();
    const request = ask('How do I reset my password?');
    await cache.store(request, 's', sampleEntry());
    const hit = await cache.lookup(ask('How do I reset my password?'), 's');
    expect(hit).toBeDefined();
    // Simulate eviction by the store: every semantic key is gone.
    await store.close();
    expect(await cache.lookup(ask('How do I reset my password?'), 's')).toBeUndefined();
  });

  it('embeds a request once for a lookup followed by a store', async () => {
    let calls = 0;
    const inner = createOfflineEmbedder();
    const counting: Embedder = { id: inner.id, dimensions: inner.dimensions, embed: (texts) => ((calls += 1), inner.embed(texts)) };
    const { cache } = setup({ embedder: counting });
    const request = ask('How do I reset my password?');
    await cache.lookup(request, 's');
    await cache.store(request, 's', sampleEntry());
    expect(calls).toBe(1);
  });

  it('skips requests whose last turn is not plain user text', async () => {
    const { cache } = setup();
    const toolTurn: ChatRequest = { model: 'm', temperature: 0, messages: [...france, { role: 'tool', tool_call_id: 'c', content: '42' }] };
    await cache.store(toolTurn, 's', sampleEntry());
    expect(await cache.lookup(toolTurn, 's')).toBeUndefined();
  });
});
