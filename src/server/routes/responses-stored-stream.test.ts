import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

/** A stored response that is still streaming can be read, as OpenAI's can: `status: "in_progress"`, output so far. */

let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
    cache: { enabled: false },
  });
  client = new OpenAI({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

describe('GET /v1/responses/{id} while the response streams', () => {
  it('answers in_progress with the text so far, then completed once the stream ends', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Count [[mock:words=6,chunk_gap_ms=150]]', stream: true });
    let id = '';
    let midway: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === 'response.created') {
        id = event.response.id;
        const atStart = await client.responses.retrieve(id);
        expect(atStart).toMatchObject({ id, object: 'response', status: 'in_progress', completed_at: null, usage: null });
        expect((await client.responses.inputItems.list(id)).data).toHaveLength(1);
        // Continuing a response that has no answer yet would leave the answer out.
        await expect(client.responses.create({ model: 'gpt-4o-mini', previous_response_id: id, input: 'and?' })).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
      }
      if (event.type === 'response.output_text.delta' && event.sequence_number === 6 && !midway) midway = await client.responses.retrieve(id);
    }
    expect(midway?.status).toBe('in_progress');
    expect(midway?.output_text.length).toBeGreaterThan(0);
    const done = await client.responses.retrieve(id);
    expect(done.status).toBe('completed');
    expect(done.output_text.startsWith(midway!.output_text)).toBe(true);
    expect(done.output_text.length).toBeGreaterThan(midway!.output_text.length);
  });

  it('forgets a stream the client left: a GET afterwards is a 404', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Count [[mock:words=20,chunk_gap_ms=100]]', stream: true });
    let id = '';
    for await (const event of stream) {
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.output_text.delta') break;
    }
    expect((await client.responses.retrieve(id).catch((error: { status: number }) => error)).status).not.toBe(200);
    const deadline = Date.now() + 5_000;
    let status: number | undefined;
    while (Date.now() < deadline) {
      status = await client.responses.retrieve(id).then(() => 200, (error: { status: number }) => error.status);
      if (status === 404) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(404);
  });

  it('keeps nothing of a stream with store: false', async () => {
    let id = '';
    for await (const event of await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true, store: false })) if (event.type === 'response.created') id = event.response.id;
    await expect(client.responses.retrieve(id)).rejects.toMatchObject({ status: 404 });
  });
});
