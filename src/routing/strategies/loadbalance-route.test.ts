import { describe, expect, it } from 'vitest';
import { createGateway } from '../../pipeline/create-gateway.js';

async function pool(deployments: Array<Record<string, unknown>>) {
  return createGateway({
    env: {},
    config: {
      providers: { p1: { kind: 'simulated' }, p2: { kind: 'simulated' } },
      models: [
        { name: 'a', provider: 'p1', price: { input: 1, output: 1 } },
        { name: 'b', provider: 'p2', price: { input: 1, output: 1 } },
      ],
      routes: { pool: { strategy: 'loadbalance', policy: 'least_in_flight', deployments } },
      cache: { enabled: false },
    },
  });
}

const ask = (gateway: Awaited<ReturnType<typeof pool>>) => gateway.chat({ model: 'pool', max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }] });

describe('per-deployment limits', () => {
  it('moves to the next deployment once one is at its requests-per-minute limit', async () => {
    const gateway = await pool([{ model: 'a', rpm: 2 }, { model: 'b' }]);
    const served = [];
    for (let i = 0; i < 4; i += 1) served.push((await ask(gateway)).meta.model.name);
    expect(served).toEqual(['a', 'a', 'b', 'b']);
    await gateway.close();
  });

  it('moves to the next deployment once one would pass its tokens-per-minute limit', async () => {
    // Each request is ~10 prompt + 50 output tokens held at dispatch: two never fit a 100-token limit at once.
    const gateway = await pool([{ model: 'a', tpm: 100 }, { model: 'b' }]);
    const served = await Promise.all([ask(gateway), ask(gateway)]);
    expect(served.map((reply) => reply.meta.model.name).sort()).toEqual(['a', 'b']);
    await gateway.close();
  });
});

describe('per-deployment limits across instances', async () => {
  const { randomBytes } = await import('node:crypto');
  const { redisReachable, serviceGate, TEST_REDIS_URL } = await import('../../testing/services.js');
  const up = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'shared per-deployment limits');
  it.runIf(up)('are shared through Redis: one instance using up a deployment moves the other to the next', async () => {
    const keyPrefix = `frugal-lb-test-${randomBytes(4).toString('hex')}:`;
    const open = () =>
      createGateway({
        env: {},
        config: {
          providers: { p1: { kind: 'simulated' }, p2: { kind: 'simulated' } },
          models: [
            { name: 'a', provider: 'p1', price: { input: 1, output: 1 } },
            { name: 'b', provider: 'p2', price: { input: 1, output: 1 } },
          ],
          routes: { pool: { strategy: 'loadbalance', policy: 'least_in_flight', deployments: [{ model: 'a', rpm: 2 }, { model: 'b' }] } },
          spend_control: { backend: 'redis', redis_url: TEST_REDIS_URL, key_prefix: keyPrefix },
          cache: { enabled: false },
        },
      });
    const [first, second] = [await open(), await open()];
    expect((await ask(first)).meta.model.name).toBe('a');
    expect((await ask(second)).meta.model.name).toBe('a');
    expect((await ask(first)).meta.model.name).toBe('b');
    expect((await ask(second)).meta.model.name).toBe('b');
    await first.close();
    await second.close();
  });
});
