import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIBatches, type MockOpenAIBatches } from '../testing/mock-openai-batches.js';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';
import { startGatedBatchProxy, type GatedBatchProxy } from '../testing/gated-batch-proxy.js';

const OPENAI_KEY = 'sk-openai-cancel-race-0123456789';

const line = (customId: string, text: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 50 } });

describe('native lane: a batch cancelled while its lines are being submitted', () => {
  let upstream: MockOpenAIBatches;
  let gate: GatedBatchProxy;
  let gw: BatchGateway;
  let client: OpenAI;
  beforeAll(async () => {
    upstream = await startMockOpenAIBatches({ apiKey: OPENAI_KEY });
    gate = await startGatedBatchProxy(upstream.baseUrl.replace(/\/v1$/, ''));
    gw = await startBatchGateway(
      { providers: { openai: { kind: 'openai', base_url: gate.baseUrl, api_key: OPENAI_KEY } }, models: [{ name: 'gpt-4o-mini', provider: 'openai' }], cache: { enabled: false } },
      { pollIntervalMs: 60_000 },
    );
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    gate.release();
    await gw.close();
    await gate.close();
    await upstream.close();
  });

  it('cancels the provider batch too, so the provider never runs (nor bills) lines reported cancelled', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from([line('r-1', 'First'), line('r-2', 'Second')].join('\n')), 'race.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await gate.reached;
    const cancelled = await client.batches.cancel(created.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    gate.release();
    const deadline = Date.now() + 15_000;
    while ((await gw.store.upstreams(created.id)).length === 0) {
      if (Date.now() > deadline) throw new Error('the submission never finished');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The poller runs the upstream to its end either way: cancelled, or (the defect) completed with lines billed.
    for (let poll = 0; poll < 6; poll += 1) await gw.service.pollOnce();
    const [sent] = await gw.store.upstreams(created.id);
    expect(upstream.batches.get(sent.upstreamId)?.status).toBe('cancelled');
    expect(sent.state).toBe('done');
    expect(gw.rows.filter((row) => row.batchId === created.id)).toEqual([]);
    expect(await client.batches.retrieve(created.id)).toMatchObject({ status: 'cancelled', request_counts: { total: 2, completed: 0, failed: 2 } });
  });
});
