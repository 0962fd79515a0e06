import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load-config.js';
import { createGateway } from '../../pipeline/create-gateway.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import { createOfflineRouter } from './offline-router.js';

// `small` holds only 60 tokens, so a long prompt is unfit for it and every strategy has to step past it.
const config = {
  providers: { sim: { kind: 'simulated' } },
  models: [
    { name: 'small', provider: 'sim', price: { input: 0.25, output: 1 }, context: 60 },
    { name: 'mid', provider: 'sim', price: { input: 1, output: 4 }, context: 10_000 },
    { name: 'big', provider: 'sim', price: { input: 2.5, output: 10 }, context: 128_000 },
  ],
  routes: {
    auto: { strategy: 'classify', tasks: { translate: 'small', code: 'mid', simple: 'small' }, default: 'big', complex: { threshold: 0.8, target: 'big' } },
    hinted: { strategy: 'map', tasks: { translate: 'small', code: 'mid' }, default: 'big' },
    tiers: { strategy: 'cascade', tiers: ['small', 'mid', 'big'], checks: ['non_empty'] },
    chain: { strategy: 'fallback', chain: ['small', 'mid'], retries: { attempts: 1 } },
    nested: { strategy: 'map', tasks: { code: 'tiers' }, default: 'chain' },
  },
};

const long = `Please translate this whole paragraph into German: ${'the quick brown fox jumps over the lazy dog, '.repeat(12)}`;
const prompts = [
  'Translate "good morning" into French.',
  'Write a Python function that merges two sorted lists and explain its time complexity.',
  'What is 2 + 2?',
  long,
  'Prove that there are infinitely many primes, then compare three classic proofs step by step, discussing the trade-offs of each in depth.',
];

describe('offline router', () => {
  it('decides as the gateway’s route nodes do: classifier, complexity, task hints, fit checks, cascade and fallback order', async () => {
    const gateway = await createGateway({ config, env: {} });
    const router = createOfflineRouter(validateConfig(config, { env: {} }));
    try {
      for (const route of ['auto', 'hinted', 'tiers', 'chain', 'nested', 'small']) {
        for (const content of prompts) {
          for (const task of [undefined, 'code', 'translate']) {
            const request: ChatRequest = { model: route, messages: [{ role: 'user', content }] };
            const reply = await gateway.chat(request, { task, cacheHeader: 'no-store' });
            const offline = router.route(request, task);
            expect({ route, content: content.slice(0, 30), task, trace: offline.trace }).toEqual({ route, content: content.slice(0, 30), task, trace: reply.context.routeTrace.join('>') });
            expect(offline.model?.name).toBe(reply.context.model?.name);
          }
        }
      }
    } finally {
      await gateway.close();
    }
  });

  it('names the skipped targets and reports a request no model of the route can take', () => {
    const router = createOfflineRouter(validateConfig(config, { env: {} }));
    expect(router.route({ model: 'tiers', messages: [{ role: 'user', content: long }] }).trace).toBe('tiers>cascade:small(fail:skip:context)>mid');
    const huge = { model: 'chain', messages: [{ role: 'user' as const, content: 'word '.repeat(20_000) }] };
    expect(router.route(huge)).toEqual({ model: undefined, trace: 'chain>unfit:context' });
    expect(router.route({ model: 'nope', messages: [] })).toEqual({ model: undefined, trace: 'unknown:nope' });
    expect(router.routes).toEqual(['auto', 'hinted', 'tiers', 'chain', 'nested']);
  });

  it('fails on a bad candidate config with the path of the fault, as start-up does', () => {
    const bad = validateConfig({ ...config, routes: { r: { strategy: 'fallback', chain: ['nope'] } } }, { env: {} });
    expect(() => createOfflineRouter(bad)).toThrow(/routes\.r\.chain\[0\]/);
  });
});
