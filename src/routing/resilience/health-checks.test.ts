import { describe, expect, it } from 'vitest';
import { createGateway } from '../../pipeline/create-gateway.js';
import { startMockOpenAIServer } from '../../testing/mock-openai-server.js';

describe('background health checks', () => {
  it('take a dead provider out of rotation before any request has to time out on it', async () => {
    const live = await startMockOpenAIServer();
    const gateway = await createGateway({
      env: {},
      config: {
        providers: { dead: { kind: 'openai', base_url: 'http://127.0.0.1:9/v1' }, live: { kind: 'openai', base_url: live.baseUrl } },
        models: [
          { name: 'a', provider: 'dead', price: { input: 1, output: 1 } },
          { name: 'b', provider: 'live', price: { input: 1, output: 1 } },
        ],
        routes: { safe: { strategy: 'fallback', chain: ['a', 'b'], retries: { attempts: 1 } } },
        resilience: { health_check_interval_ms: 30 },
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reply = await gateway.chat({ model: 'safe', messages: [{ role: 'user', content: 'hi' }] });
    expect(reply.context.routeTrace.join('>')).toBe('safe>fallback:a(fail:circuit_open)>b');
    // The live provider passed its probes and stays in rotation.
    const direct = await gateway.chat({ model: 'b', messages: [{ role: 'user', content: 'hi' }] });
    expect(direct.kind).toBe('response');
    await gateway.close();
    await live.close();
  });
});
