import { describe, expect, it } from 'vitest';
import { createGateway } from '../pipeline/create-gateway.js';
import { promptPrefix, rendezvousOrder } from './prefix-affinity.js';

describe('prefix affinity', () => {
  it('takes the leading characters of the prompt, or nothing for a short prompt', () => {
    const messages = [{ role: 'system' as const, content: 'S'.repeat(50) }, { role: 'user' as const, content: 'q' }];
    expect(promptPrefix(messages, 20)).toBe(`system\u0000${'S'.repeat(13)}`);
    expect(promptPrefix(messages, 500)).toBeUndefined();
  });

  it('ranks deployments the same way for the same prefix, and removing one moves only its prefixes', () => {
    const all = ['a', 'b', 'c', 'd'];
    const prefixes = Array.from({ length: 200 }, (_, i) => `prefix-${i}`);
    const first = prefixes.map((prefix) => rendezvousOrder(all, (x) => x, prefix)[0]);
    expect(prefixes.map((prefix) => rendezvousOrder(all, (x) => x, prefix)[0])).toEqual(first);
    expect(new Set(first).size).toBe(4);
    const without = prefixes.map((prefix) => rendezvousOrder(['a', 'b', 'd'], (x) => x, prefix)[0]);
    first.forEach((winner, index) => {
      if (winner !== 'c') expect(without[index]).toBe(winner);
    });
  });

  it('sends requests sharing a long prefix to the same deployment', async () => {
    const gateway = await createGateway({
      env: {},
      config: {
        providers: { p1: { kind: 'simulated' }, p2: { kind: 'simulated' }, p3: { kind: 'simulated' } },
        models: ['p1', 'p2', 'p3'].map((provider) => ({ name: `vllm-${provider}`, provider, price: { input: 0.1, output: 0.1 } })),
        routes: { pool: { strategy: 'loadbalance', policy: 'weighted', deployments: [{ model: 'vllm-p1' }, { model: 'vllm-p2' }, { model: 'vllm-p3' }], prefix_affinity: { min_tokens: 100 } } },
        cache: { enabled: false },
      },
    });
    const system = 'You are the support agent for ACME. '.repeat(40);
    const served = new Set<string>();
    for (let i = 0; i < 12; i += 1) {
      const reply = await gateway.chat({ model: 'pool', messages: [{ role: 'system', content: system }, { role: 'user', content: `question ${i}` }] });
      served.add(reply.meta.model.name);
      expect(reply.context.routeTrace[1]).toBe('loadbalance:prefix');
    }
    expect(served.size).toBe(1);
    await gateway.close();
  });
});
