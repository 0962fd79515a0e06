import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import { createGateway, type Gateway } from '../../pipeline/create-gateway.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';

// Through the gateway's library API, so no HTTP edge (and no edge depth limit) stands in front of the pipeline:
// the breaker must hold on its own.
let upstream: MockOpenAIServer;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  gateway = await createGateway({
    config: {
      providers: { local: { kind: 'openai', base_url: upstream.baseUrl } },
      models: [{ name: 'local-model', provider: 'local', price: { input: 0.1, output: 0.2 } }],
      routes: { guarded: { strategy: 'fallback', chain: ['local-model'], retries: { attempts: 1 } } },
      resilience: { circuit_breaker: { consecutive_failures: 3, open_ms: 60_000 } },
    },
    env: {},
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** 10 000 nested arrays, built as text: building the value recursively would overflow the test's own stack. */
function deeplyNested(depth = 10_000): unknown {
  return JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

async function failureOf(promise: Promise<unknown>): Promise<FrugalError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FrugalError);
  return error as FrugalError;
}

const hello = { role: 'user', content: 'hello' };

describe('only upstream failures count against a circuit breaker', () => {
  it('answers a deeply nested content part with a 400, three times over, and keeps the model in rotation', async () => {
    for (let i = 0; i < 4; i += 1) {
      const body = { model: 'guarded', temperature: 1, messages: [{ role: 'user', content: [{ type: 'text', text: `hi ${i}` }, { type: 'input_audio', input_audio: deeplyNested() }] }] };
      const error = await failureOf(gateway.chat(body));
      expect(error.code).toBe('invalid_request');
      expect(error.status).toBe(400);
    }
    const reply = await gateway.chat({ model: 'guarded', messages: [hello] });
    expect(reply.kind).toBe('response');
  });

  it('does not fail with a 500 when the nesting sits in a cacheable request (the cache key cannot be built)', async () => {
    for (let i = 0; i < 4; i += 1) {
      const body = { model: 'local-model', temperature: 0, messages: [{ role: 'user', content: [{ type: 'text', text: `top ${i}` }, { type: 'input_audio', input_audio: deeplyNested() }] }] };
      const error = await failureOf(gateway.chat(body));
      expect(error.status).toBe(400);
    }
    const reply = await gateway.chat({ model: 'local-model', temperature: 0, messages: [hello] });
    expect(reply.kind).toBe('response');
  });

  it('still opens the circuit on repeated upstream failures', async () => {
    for (let i = 0; i < 3; i += 1) {
      const error = await failureOf(gateway.chat({ model: 'guarded', messages: [{ role: 'user', content: `x [[mock:status=500]] ${i}` }] }));
      expect(error.code).toBe('upstream_error');
    }
    const error = await failureOf(gateway.chat({ model: 'guarded', messages: [hello] }));
    expect(error.code).toBe('circuit_open');
  });
});
