import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
  });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

describe('a client that disconnects mid-stream', () => {
  it('leaves a client_aborted row priced on what was generated', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'long answer [[mock:words=400,chunk_gap_ms=5]]' }],
    });
    let words = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) words += 1;
      if (words === 20) {
        stream.controller.abort();
        break;
      }
    }
    const [row] = await frugal.waitForRows(1);
    expect(row.status).toBe('client_aborted');
    expect(row.stream).toBe(true);
    expect(row.tokensEstimated).toBe(true);
    expect(row.completionTokens).toBeGreaterThanOrEqual(20);
    // 400 words would be well over 400 tokens; the row counts only what was generated before the cut.
    expect(row.completionTokens).toBeLessThan(400);
    expect(row.costNanos).toBeGreaterThan(0);
    // The cut-short upstream call is the client's doing, not an upstream timeout.
    expect(row.errorCode).toBe('client_aborted');
  });

  it('before a plain answer arrives: the row says the client left, not that the upstream timed out', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'slow [[mock:delay_ms=2000]]' }] }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toThrow();
    const rows = await frugal.waitForRows(2);
    expect(rows[1]).toMatchObject({ status: 'client_aborted', errorCode: 'client_aborted', httpStatus: 499 });
  });
});
