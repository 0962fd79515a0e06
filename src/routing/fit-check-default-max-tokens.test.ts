import { describe, expect, it } from 'vitest';
import { createGateway } from '../pipeline/create-gateway.js';
import type { CallerKey } from '../request/request-context.js';

// A key with a TPM limit makes the spend stage count the request's needs before it adds the default max_tokens.
const key: CallerKey = { id: 'k_fit', team: null, allowedModels: null, budget: null, rateLimits: { rpm: null, tpm: 1_000_000 }, defaultTags: {} };

describe('fit checks after the default max_tokens', () => {
  it('skip a model whose context cannot hold the prompt plus the max_tokens the gateway set', async () => {
    const gateway = await createGateway({
      env: {},
      config: {
        providers: { sim: { kind: 'simulated' } },
        models: [
          { name: 'small', provider: 'sim', context: 600, price: { input: 1, output: 1 } },
          { name: 'large', provider: 'sim', context: 100_000, price: { input: 1, output: 1 } },
        ],
        routes: { pick: { strategy: 'fallback', chain: ['small', 'large'] } },
        spend_control: { default_max_tokens: 1_000 },
        cache: { enabled: false },
      },
    });
    // The ceiling makes the request bounded: without max_tokens it gets the default 1 000, more than `small` holds.
    const reply = await gateway.chat({ model: 'pick', messages: [{ role: 'user', content: 'hello there' }] }, { key, maxCostUsd: '1' });
    expect(reply.context.request.max_tokens).toBe(1_000);
    expect(reply.meta.model.name).toBe('large');
    expect(reply.context.routeTrace.join('>')).toBe('pick>fallback:small(fail:skip:context)>large');
    await gateway.close();
  });
});
