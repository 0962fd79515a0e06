import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIBatches, type MockOpenAIBatches } from '../testing/mock-openai-batches.js';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';
import { startGatedBatchProxy, type GatedBatchProxy } from '../testing/gated-batch-proxy.js';

const OPENAI_KEY = 'sk-openai-cancelled-billed-0123456789';

const line = (customId: string, text: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 50 } });

describe('native lane: lines the provider ran after Frugal reported them cancelled', () => {
  let upstream: MockOpenAIBatches;
  let gate: GatedBatchProxy;
  let gw: BatchGateway;
  let client: OpenAI;
  beforeAll(async () => {
    upstream = await startMockOpenAIBatches({ apiKey: OPENAI_KEY });
    gate = await startGatedBatchProxy(upstream.baseUrl.replace(/\/v1$/, ''), { refuseCancel: true });
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

  it('get exactly one ledger row each at the batch price; the batch stays as reported to the caller', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from([line('r-1', 'First'), line('r-2', 'Second')].join('\n')), 'billed.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await gate.reached;
    const cancelled = await client.batches.cancel(created.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', request_counts: { total: 2, completed: 0, failed: 2 } });
    gate.release();
    const deadline = Date.now() + 15_000;
    while ((await gw.store.upstreams(created.id)).length === 0) {
      if (Date.now() > deadline) throw new Error('the submission never finished');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The provider could not be stopped: the poller sees its batch through to completed, results and all; polling on
    // after that records nothing twice.
    for (let poll = 0; poll < 8; poll += 1) await gw.service.pollOnce();
    const [sent] = await gw.store.upstreams(created.id);
    expect(upstream.batches.get(sent.upstreamId)?.status).toBe('completed');
    expect(sent.state).toBe('done');
    const rows = gw.rows.filter((row) => row.batchId === created.id);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((row) => row.id)).size).toBe(2);
    for (const row of rows) expect(row).toMatchObject({ serviceTier: 'batch', status: 'ok', provider: 'openai' });
    expect(rows.every((row) => row.costNanos > 0)).toBe(true);
    // What the caller was told holds: cancelled lines, in the error file, counts unchanged.
    const batch = await client.batches.retrieve(created.id);
    expect(batch).toMatchObject({ status: 'cancelled', request_counts: { total: 2, completed: 0, failed: 2 }, output_file_id: null });
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
    expect(errors.map((entry) => entry.error?.code)).toEqual(['batch_cancelled', 'batch_cancelled']);
  });
});
