import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheStore } from '../../cache/cache-store.js';
import { createMemoryCacheStore } from '../../cache/memory-cache-store.js';
import { createRedisCacheStore } from '../../cache/redis-cache-store.js';
import { validateConfig } from '../../config/load-config.js';
import { createServer } from '../../server/create-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { deleteByPrefix, redisReachable, serviceGate, TEST_REDIS_URL } from '../../testing/services.js';
import { createGatewayFromConfig } from '../create-gateway.js';
import { createLiveGateway } from '../live-gateway.js';

const redisUp = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'cache-stage reload tests on the Redis backend');

let upstream: MockOpenAIServer;
beforeAll(async () => {
  upstream = await startMockOpenAIServer();
});
afterAll(async () => {
  await upstream?.close();
});

type Setup = { upstream?: string; price?: number; chain?: string[] };

/** A gateway config as `frugal serve` would reload it: model `m` and route `r`, each pointable elsewhere. */
function configOf({ upstream: upstreamId = 'gpt-4o-mini', price = 1, chain = ['m'] }: Setup = {}) {
  return validateConfig(
    {
      providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
      models: [
        { name: 'm', provider: 'mock', upstream: upstreamId, price: { input: price, output: 2 } },
        { name: 'm2', provider: 'mock', upstream: 'other-model', price: { input: 1, output: 2 } },
      ],
      routes: { r: { strategy: 'fallback', chain } },
    },
    { env: {} },
  );
}

/** A real server whose config is swapped as SIGHUP swaps it, the cache store kept across reloads. */
async function startReloadable(store: CacheStore, setup: Setup) {
  const live = createLiveGateway(createGatewayFromConfig(configOf(setup), undefined, store));
  const app = createServer({ gateway: live, logger: pino({ level: 'silent' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const client = new OpenAI({ apiKey: 'x', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  return {
    reload: (next: Setup) => live.swap(createGatewayFromConfig(configOf(next), undefined, store)),
    ask: async (model: string, question: string) => {
      const { data, response } = await client.chat.completions.create({ model, temperature: 0, messages: [{ role: 'user', content: question }] }).withResponse();
      return { cache: response.headers.get('x-frugal-cache'), servedBy: data.model };
    },
    close: async () => {
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await live.close();
    },
  };
}

const backends: Array<{ name: string; skip: boolean; open: () => { store: CacheStore; cleanUp: () => Promise<void> } }> = [
  { name: 'memory', skip: false, open: () => ({ store: createMemoryCacheStore(), cleanUp: async () => {} }) },
  {
    name: 'redis',
    skip: !redisUp,
    open: () => {
      const prefix = `frugal-test:reload:${randomUUID()}:`;
      const store = createRedisCacheStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
      return {
        store,
        cleanUp: async () => {
          const admin = new Redis(TEST_REDIS_URL);
          await deleteByPrefix(admin, prefix);
          await admin.quit();
          await store.close();
        },
      };
    },
  },
];

describe.each(backends)('cached answers across a config reload ($name store)', ({ skip, open }) => {
  it.skipIf(skip)('are not served for a model whose upstream changed, nor for a route now served by other models', async () => {
    const { store, cleanUp } = open();
    const frugal = await startReloadable(store, {});
    try {
      expect(await frugal.ask('m', 'Which upstream answers?')).toEqual({ cache: 'miss', servedBy: 'gpt-4o-mini' });
      expect(await frugal.ask('r', 'Which upstream answers?')).toEqual({ cache: 'miss', servedBy: 'gpt-4o-mini' });
      expect((await frugal.ask('m', 'Which upstream answers?')).cache).toBe('hit');

      frugal.reload({ upstream: 'gpt-4o', chain: ['m2'] });
      expect(await frugal.ask('m', 'Which upstream answers?')).toEqual({ cache: 'miss', servedBy: 'gpt-4o' });
      expect(await frugal.ask('r', 'Which upstream answers?')).toEqual({ cache: 'miss', servedBy: 'other-model' });
      expect(await frugal.ask('m', 'Which upstream answers?')).toEqual({ cache: 'hit', servedBy: 'gpt-4o' });
    } finally {
      await frugal.close();
      await cleanUp();
    }
  });

  it.skipIf(skip)('are still served after a reload that changes only a price', async () => {
    const { store, cleanUp } = open();
    const frugal = await startReloadable(store, {});
    try {
      expect((await frugal.ask('m', 'Same model, new price')).cache).toBe('miss');
      frugal.reload({ price: 3 });
      expect(await frugal.ask('m', 'Same model, new price')).toEqual({ cache: 'hit', servedBy: 'gpt-4o-mini' });
    } finally {
      await frugal.close();
      await cleanUp();
    }
  });
});
