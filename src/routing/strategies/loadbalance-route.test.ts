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
    // Each request is ~10 prompt + 50 output tokens: a 100-token budget holds one.
    const gateway = await pool([{ model: 'a', tpm: 100 }, { model: 'b' }]);
    const served = [];
    for (let i = 0; i < 3; i += 1) served.push((await ask(gateway)).meta.model.name);
    expect(served).toEqual(['a', 'b', 'b']);
    await gateway.close();
  });
});
