import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';
import { OWN_LANE_QUEUE, type OwnLaneJob } from './own-lane-job.js';

const chatLine = (customId: string, text: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 20 } });

async function waitFor(client: OpenAI, id: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (['completed', 'failed', 'cancelled', 'expired'].includes(batch.status)) return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('own lane: a line runs once per process, even when its job is delivered twice and its lease lapses', () => {
  let gw: BatchGateway;
  let client: OpenAI;
  beforeAll(async () => {
    // A line lease shorter than the renewal period (renewals come every 50 ms at the least) and calls far longer
    // than the lease: the lease lapses again and again while each line's call is still going — what a loaded
    // machine does to a 2 s lease. The poller stays out of the way (it would fail a batch validating past a lease).
    gw = await startBatchGateway(
      { providers: { sim: { kind: 'simulated', ttft_ms: 400 } }, models: [{ name: 'gpt-4o-mini', provider: 'sim' }], cache: { enabled: false } },
      { leaseMs: 30, pollIntervalMs: 60_000, concurrency: 2 },
    );
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gw.close());

  it('records one ledger row per line when a second delivery of the job arrives while the first is running', async () => {
    const jsonl = ['a', 'b', 'c'].map((id) => chatLine(id, `Question ${id}`)).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'input.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    // The queue hands the same job out again (as it does when the job's own lease lapses under load).
    const job: OwnLaneJob = { batchId: created.id, fromLine: 1, toLine: 3 };
    await gw.queue.enqueue(OWN_LANE_QUEUE, job, { idempotencyKey: `${created.id}:again`, maxAttempts: 1 });
    const batch = await waitFor(client, created.id);
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    // Let any second run still in flight land its row before counting.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const rows = gw.rows.filter((row) => row.batchId === batch.id);
    expect(rows.map((row) => row.id).sort()).toEqual([1, 2, 3].map((lineNo) => `frg-${batch.id}-${lineNo}`));
  });
});
