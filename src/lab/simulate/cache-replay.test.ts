import { describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../../cache/semantic/offline-embedder.js';
import { validateConfig } from '../../config/load-config.js';
import { createGateway } from '../../pipeline/create-gateway.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import { createCacheReplay } from './cache-replay.js';

const config = {
  providers: { sim: { kind: 'simulated' } },
  models: [{ name: 'small', provider: 'sim', price: { input: 0.25, output: 1 } }],
  cache: { ttl_seconds: 3600 },
};

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'small', temperature: 0, messages: [{ role: 'user', content }], ...extra });
const capital = 'What is the capital of France?';

// Each step: the request, who sent it and its x-frugal-cache header.
const steps: Array<{ request: ChatRequest; keyId?: string; cacheHeader?: string }> = [
  { request: ask(capital) },
  { request: ask(capital) },
  { request: ask(capital, { temperature: undefined }) },
  { request: ask(capital), cacheHeader: 'no-cache' },
  { request: ask('Name a prime number.', { temperature: 0.9 }), cacheHeader: 'ttl=60' },
  { request: ask('Name a prime number.', { temperature: 0.9 }), cacheHeader: 'ttl=60' },
  { request: ask(capital, { temperature: 0.5 }) },
  { request: ask(capital), keyId: 'k1' },
  { request: ask(capital), keyId: 'k1' },
  { request: ask(capital), cacheHeader: 'no-store' },
  { request: ask(capital, { max_tokens: 5 }) },
  { request: ask('what is the capital of france') },
];

describe('cache replay', () => {
  it('hits, misses and bypasses exactly where the gateway’s exact cache does', async () => {
    const gateway = await createGateway({ config, env: {} });
    const replay = createCacheReplay({ cache: validateConfig(config, { env: {} }).cache });
    const gatewayStatuses: Array<string | null> = [];
    const replayed: string[] = [];
    try {
      for (const [index, step] of steps.entries()) {
        const reply = await gateway.chat(structuredClone(step.request), { keyId: step.keyId, cacheHeader: step.cacheHeader });
        gatewayStatuses.push(reply.context.cacheStatus);
        replayed.push((await replay.replay(step.request, index * 1000, step)).exact);
      }
    } finally {
      await gateway.close();
    }
    expect(replayed).toEqual(['miss', 'hit', 'bypass', 'miss', 'miss', 'hit', 'bypass', 'miss', 'hit', 'bypass', 'miss', 'miss']);
    expect(replayed).toEqual(gatewayStatuses);
  });

  it('expires entries on the simulated clock after the TTL', async () => {
    const replay = createCacheReplay({ cache: validateConfig(config, { env: {} }).cache });
    const hour = 3_600_000;
    expect((await replay.replay(ask(capital), 0, {})).exact).toBe('miss');
    expect((await replay.replay(ask(capital), hour - 1, {})).exact).toBe('hit');
    expect((await replay.replay(ask(capital), hour, {})).exact).toBe('miss');
    expect((await replay.replay(ask(capital), hour + 1, {})).exact).toBe('hit');
    // Several samples are never served from the cache (the simulated provider cannot be asked for them).
    expect((await replay.replay(ask(capital, { n: 2 }), hour + 2, {})).exact).toBe('bypass');
  });

  it('finds a reworded repeat in the semantic cache after an exact miss, never across tenants', async () => {
    const replay = createCacheReplay({ cache: validateConfig(config, { env: {} }).cache, semantic: { embedder: createOfflineEmbedder() } });
    expect(replay.semanticThreshold).toBe(0.99);
    expect(await replay.replay(ask(capital), 0, {})).toEqual({ exact: 'miss', withSemantic: 'miss' });
    expect(await replay.replay(ask('what is the capital of france'), 1, {})).toEqual({ exact: 'miss', withSemantic: 'semantic-hit' });
    expect(await replay.replay(ask('what is the capital of france'), 2, { keyId: 'other' })).toEqual({ exact: 'miss', withSemantic: 'miss' });
    expect(await replay.replay(ask('What is the capital of Germany?'), 3, {})).toEqual({ exact: 'miss', withSemantic: 'miss' });
    expect(await replay.replay(ask(capital), 4, {})).toEqual({ exact: 'hit', withSemantic: 'hit' });
  });
});
