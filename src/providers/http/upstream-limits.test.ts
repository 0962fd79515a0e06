import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;
const price = { input: 0.1, output: 0.2 };

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: {
      // Default caps (32 MB, 200 000 events).
      plain: { kind: 'openai', base_url: upstream.baseUrl },
      strict: { kind: 'openai', base_url: upstream.baseUrl, max_response_mb: 1, max_stream_events: 10 },
    },
    models: [
      { name: 'plain-model', provider: 'plain', price },
      { name: 'strict-model', provider: 'strict', price },
      { name: 'plain-embedder', provider: 'plain', type: 'embedding', price },
    ],
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

async function statusOf(promise: Promise<unknown>): Promise<{ status: number | undefined; code: unknown }> {
  const error = (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as { status?: number; code?: unknown } | undefined;
  return { status: error?.status, code: error?.code };
}

async function readStream(model: string, content: string): Promise<'done' | 'error'> {
  const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content }] });
  try {
    for await (const _chunk of stream) {
      // read to the end
    }
    return 'done';
  } catch {
    return 'error';
  }
}

describe('what is read from an upstream is capped', () => {
  it('answers 502 to a 300 MB chat answer, with memory bounded by the cap', async () => {
    const before = process.memoryUsage().rss;
    const result = await statusOf(client.chat.completions.create({ model: 'plain-model', messages: [{ role: 'user', content: 'x [[mock:huge_mb=300]]' }] }));
    const grown = process.memoryUsage().rss - before;
    expect(result).toEqual({ status: 502, code: 'upstream_bad_response' });
    // Reading it whole took RSS to 2.7 GB; cut at 32 MB it stays far below 300 MB.
    expect(grown).toBeLessThan(250 * 1024 * 1024);
  });

  it('answers 502 to a 300 MB embeddings answer', async () => {
    const result = await statusOf(client.embeddings.create({ model: 'plain-embedder', input: 'x [[mock:huge_mb=300]]' }));
    expect(result).toEqual({ status: 502, code: 'upstream_bad_response' });
  });

  it("applies a provider's own max_response_mb, and still serves answers below it", async () => {
    expect(await statusOf(client.chat.completions.create({ model: 'strict-model', messages: [{ role: 'user', content: 'x [[mock:huge_mb=2]]' }] }))).toEqual({
      status: 502,
      code: 'upstream_bad_response',
    });
    const fine = await client.chat.completions.create({ model: 'strict-model', messages: [{ role: 'user', content: 'hello' }] });
    expect(fine.choices[0].message.content).toBe('Hello from the mock.');
  });

  it('ends a stream longer than max_response_mb with an error event', async () => {
    expect(await readStream('strict-model', 'x [[mock:huge_mb=4]]')).toBe('error');
  });

  it('ends a stream of more events than max_stream_events with an error event', async () => {
    expect(await readStream('strict-model', 'x [[mock:words=50]]')).toBe('error');
    expect(await readStream('strict-model', 'x [[mock:words=3]]')).toBe('done');
  });
});
