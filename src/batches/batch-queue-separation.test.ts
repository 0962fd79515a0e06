import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';
import { startRateLimitedUpstream, type RateLimitedUpstream } from '../testing/rate-limited-upstream.js';

const RPM = 3_000;
const SHARE = 0.3;
const LINES = 5_000;
const REALTIME = 60;

/**
 * The queue-separation case: a 5 000-line batch drains through the same deployment real-time callers use.
 * The provider enforces the deployment's RPM exactly; the batch's lines run in the background lane, within the
 * lane's share of it. (Latency is measured by `npm run bench:batch`, not asserted here.)
 */
describe('queue separation: a 5 000-line batch and real-time callers on one deployment', () => {
  let upstream: RateLimitedUpstream;
  let gw: BatchGateway;

  beforeAll(async () => {
    upstream = await startRateLimitedUpstream({ limit: RPM, windowMs: 60_000, latencyMs: 5 });
    gw = await startBatchGateway(
      {
        providers: { limited: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test' } },
        models: [{ name: 'mini', provider: 'limited', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } }],
        routes: { assistant: { strategy: 'loadbalance', deployments: [{ model: 'mini', rpm: RPM }], retries: { attempts: 1 } } },
        lanes: { background: { share: SHARE, concurrency: 16 } },
        queue: { backend: 'sqlite' },
        cache: { enabled: false },
        resilience: { health_check_interval_ms: 0 },
      },
      { concurrency: 2, lineConcurrency: 8, chunkLines: 100 },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
  });

  it('real-time requests are all answered, none waits in or is refused by the background share, and the batch stays within it', { timeout: 90_000 }, async () => {
    const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
    const jsonl = Array.from({ length: LINES }, (_, n) =>
      JSON.stringify({ custom_id: `bg-${n}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'assistant', messages: [{ role: 'user', content: `[bg] classify ticket ${n}` }], max_tokens: 8 } }),
    ).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'separation.jsonl'), purpose: 'batch' });
    const startedAt = Date.now();
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    // Let the lane fill up before the real-time callers arrive.
    while (upstream.calls.filter((call) => call.lane === 'background').length < 50) await new Promise((resolve) => setTimeout(resolve, 20));

    const statuses: number[] = [];
    const lanes: Array<string | null> = [];
    for (let round = 0; round < REALTIME / 10; round += 1) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, n) => {
          const { response } = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: `answer the customer ${round}-${n}` }] }).withResponse();
          statuses.push(response.status);
          lanes.push(response.headers.get('x-frugal-lane'));
        }),
      );
    }
    const during = (await client.batches.retrieve(created.id)).request_counts!;
    await client.batches.cancel(created.id);
    const ended = await (async () => {
      for (;;) {
        const batch = await client.batches.retrieve(created.id);
        if (batch.status === 'cancelled') return batch;
        await gw.service.pollOnce();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const elapsedMs = Date.now() - startedAt;

    expect(statuses).toEqual(Array(REALTIME).fill(200));
    // Real-time requests never went through the lane (no x-frugal-lane header) nor got its 429.
    expect(lanes.every((lane) => lane === null)).toBe(true);
    expect(gw.rows.filter((row) => row.batchId === null && row.httpStatus === 429)).toEqual([]);
    // The provider refused nobody: the batch never took the capacity real-time callers needed.
    expect(upstream.calls.filter((call) => !call.accepted)).toEqual([]);
    expect(upstream.calls.filter((call) => call.lane === 'realtime').length).toBe(REALTIME);
    // The batch ran within its share (a GCRA bucket of RPM × share per minute), and was still draining meanwhile.
    const backgroundCalls = upstream.calls.filter((call) => call.lane === 'background').length;
    const shareLimit = Math.floor(RPM * SHARE);
    expect(backgroundCalls).toBeLessThanOrEqual(shareLimit + Math.floor((elapsedMs * shareLimit) / 60_000) + 1);
    expect(during.completed).toBeGreaterThan(0);
    expect(during.completed).toBeLessThan(LINES);
    // Every line the provider answered is in the output once; the rest ended batch_cancelled, none lost.
    const counts = ended.request_counts!;
    console.info(`batch lines answered while real-time callers ran: ${during.completed}; background calls ${backgroundCalls} in ${elapsedMs} ms (share ${shareLimit}/min)`);
    expect(counts.total).toBe(LINES);
    expect(counts.completed).toBe(backgroundCalls);
    expect(counts.completed + counts.failed).toBe(LINES);
  });
});
