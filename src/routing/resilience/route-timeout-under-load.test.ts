import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// Full garbage collections on demand: the load that, in production, collected the timeout signals before they
// fired (nodejs/node#57736). A correctness test, not a speed test: it only asks that the stream ends with an error.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;
const price = { input: 0.1, output: 0.2 };
const TIMEOUT_MS = 400;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: {
      local: { kind: 'openai', base_url: upstream.baseUrl },
      capped: { kind: 'openai', base_url: upstream.baseUrl, timeout_ms: TIMEOUT_MS },
    },
    models: [
      { name: 'local-model', provider: 'local', price },
      { name: 'capped-model', provider: 'capped', price },
    ],
    routes: { bounded: { strategy: 'fallback', chain: ['local-model'], retries: { attempts: 1 }, timeouts: { total_ms: TIMEOUT_MS } } },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

/** Reads a stream whose upstream stalls after its first events, collecting garbage and burning CPU meanwhile. */
async function readStalledStream(model: string): Promise<{ ending: 'error' | 'done' | 'still running'; text: string }> {
  const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'x [[mock:stall_after=2]]' }] });
  let text = '';
  const reading = (async () => {
    try {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return 'done' as const;
    } catch {
      return 'error' as const;
    }
  })();
  let settled = false;
  void reading.finally(() => (settled = true));
  const deadline = Date.now() + TIMEOUT_MS * 10;
  while (!settled && Date.now() < deadline) {
    collectGarbage();
    // Background load: allocation churn and a busy loop, between turns of the event loop.
    const busyUntil = Date.now() + 20;
    let garbage: number[][] = [];
    while (Date.now() < busyUntil) garbage.push(new Array(1000).fill(Math.random()));
    garbage = [];
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!settled) stream.controller.abort();
  return { ending: settled ? await reading : 'still running', text };
}

describe('timeouts hold under load', () => {
  it("cuts a stalled stream at the route's total_ms with an error event, not a clean end", async () => {
    const { ending } = await readStalledStream('bounded');
    expect(ending).toBe('error');
    const row = (await frugal.waitForRows(frugal.rows.length)).at(-1)!;
    expect(row.status).toBe('error');
    expect(row.errorCode).toBe('total_timeout');
  });

  it("cuts a stalled stream at the provider's timeout_ms with an error event", async () => {
    const { ending } = await readStalledStream('capped-model');
    expect(ending).toBe('error');
  });
});
