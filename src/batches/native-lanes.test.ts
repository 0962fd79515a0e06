import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicBatches, type MockAnthropicBatches } from '../testing/mock-anthropic-batches.js';
import { startMockOpenAIBatches, type MockOpenAIBatches } from '../testing/mock-openai-batches.js';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';

const OPENAI_KEY = 'sk-openai-batches-test-0123456789';
const ANTHROPIC_KEY = 'sk-ant-batches-test-0123456789';

const line = (customId: string, model: string, text: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: text }], max_tokens: 50 } });

async function until(check: () => Promise<boolean>, poll: () => Promise<void>) {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await poll();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

describe('native batch lanes: OpenAI Batch API and Anthropic Message Batches, against byte-accurate mocks', () => {
  let openaiUp: MockOpenAIBatches;
  let anthropicUp: MockAnthropicBatches;
  let gw: BatchGateway;
  let client: OpenAI;

  beforeAll(async () => {
    openaiUp = await startMockOpenAIBatches({ apiKey: OPENAI_KEY });
    anthropicUp = await startMockAnthropicBatches({ apiKey: ANTHROPIC_KEY });
    gw = await startBatchGateway(
      {
        providers: {
          openai: { kind: 'openai', base_url: openaiUp.baseUrl, api_key: OPENAI_KEY },
          anthropic: { kind: 'anthropic', base_url: anthropicUp.url, api_key: ANTHROPIC_KEY },
          sim: { kind: 'simulated' },
        },
        models: [
          { name: 'gpt-4o-mini', provider: 'openai' },
          { name: 'claude-haiku-4-5', provider: 'anthropic' },
          { name: 'local-small', provider: 'sim', price: { input: 1, output: 2 } },
        ],
        cache: { enabled: false },
      },
      // The poller is driven by the test (pollOnce), so every step is deterministic.
      { pollIntervalMs: 60_000 },
    );
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await gw.close();
    await openaiUp.close();
    await anthropicUp.close();
  });

  it('sends each line to its provider’s batch API once, maps results back by custom_id and prices them at the batch rate', async () => {
    const jsonl = [
      line('o-1', 'gpt-4o-mini', 'Summarise the first report please'),
      line('a-1', 'claude-haiku-4-5', 'Translate this sentence [[mock:cache_read=4]]'),
      line('o-2', 'gpt-4o-mini', 'Second report, a longer one [[mock:cached_tokens=5]]'),
      line('s-1', 'local-small', 'Runs in the own lane'),
      line('o-bad', 'gpt-4o-mini', 'Fail me [[mock:status=400]]'),
      line('a-bad', 'claude-haiku-4-5', 'Fail me too [[mock:error=invalid_request_error]]'),
    ].join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'mixed.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await until(async () => (await client.batches.retrieve(created.id)).status === 'completed', () => gw.service.pollOnce());
    const batch = await client.batches.retrieve(created.id);
    expect(batch.request_counts).toEqual({ total: 6, completed: 4, failed: 2 });

    // Each line reached its provider exactly once, under Frugal's own upstream id.
    expect([...openaiUp.linesSent.values()]).toEqual([1, 1, 1]);
    expect([...anthropicUp.received.keys()].sort()).toEqual(['l2', 'l6']);
    // The Anthropic lines were translated by the adapter's converter (max_tokens kept, Messages shape).
    expect(anthropicUp.received.get('l2')).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Translate this sentence [[mock:cache_read=4]]' }] });

    const output = (await (await client.files.content(batch.output_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
    expect(output.map((entry) => entry.custom_id)).toEqual(['o-1', 'a-1', 'o-2', 's-1']);
    const claude = output.find((entry) => entry.custom_id === 'a-1');
    expect(claude.response.body).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'Batched answer from Claude.' }, finish_reason: 'stop' }] });
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
    expect(errors.map((entry) => [entry.custom_id, entry.response.status_code, entry.response.body.error.type])).toEqual([
      ['o-bad', 400, 'invalid_request_error'],
      ['a-bad', 400, 'invalid_request_error'],
    ]);

    // Ledger rows equal the provider's batch price exactly, from the published per-1M prices:
    // gpt-4o-mini batch $0.075 in (cached tokens billed as batch input) / $0.30 out; claude-haiku-4-5 batch
    // $0.50 in, $0.05 cache read, $2.50 out.
    const rows = new Map(gw.rows.filter((row) => row.batchId === batch.id).map((row) => [row.id, row]));
    for (const entry of output.filter((found) => found.custom_id.startsWith('o-'))) {
      const usage = entry.response.body.usage;
      const row = [...rows.values()].find((found) => found.provider === 'openai' && found.promptTokens === usage.prompt_tokens)!;
      const expected = Math.floor((usage.prompt_tokens * 75_000 + usage.completion_tokens * 300_000 + 500) / 1000);
      const realTime = Math.floor(((usage.prompt_tokens - usage.prompt_tokens_details.cached_tokens) * 150_000 + usage.prompt_tokens_details.cached_tokens * 75_000 + usage.completion_tokens * 600_000 + 500) / 1000);
      expect(row).toMatchObject({ costNanos: expected, serviceTier: 'batch', status: 'ok', cachedTokens: usage.prompt_tokens_details.cached_tokens, savedBatchNanos: realTime - expected });
      expect(row.savedNanos).toBe(row.savedBatchNanos + row.savedRoutingNanos + row.savedCacheNanos + row.savedCompressionNanos + row.savedPromptCacheNanos);
    }
    const claudeRow = [...rows.values()].find((row) => row.provider === 'anthropic' && row.status === 'ok')!;
    const usage = claude.response.body.usage;
    const cacheRead = 4;
    expect(claudeRow.cachedTokens).toBe(cacheRead);
    expect(claudeRow.costNanos).toBe(Math.floor(((usage.prompt_tokens - cacheRead) * 500_000 + cacheRead * 50_000 + usage.completion_tokens * 2_500_000 + 500) / 1000));
    expect(claudeRow.serviceTier).toBe('batch');
    // The own-lane line has its pipeline row, at the real-time price, tagged with the batch too.
    expect([...rows.values()].filter((row) => row.provider === 'sim')).toHaveLength(1);
    // One row per line that ran: 6 lines, all ran (two failed upstream).
    expect(rows.size).toBe(6);

    // Polling again changes nothing: no line is recorded twice.
    await gw.service.pollOnce();
    expect(gw.rows.filter((row) => row.batchId === batch.id)).toHaveLength(6);
  });

  it('an upstream batch that expires puts its lines in the error file as batch_expired', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from([line('e-1', 'gpt-4o-mini', 'Slow one'), line('e-2', 'claude-haiku-4-5', 'Slow two')].join('\n')), 'slow.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await until(async () => (await gw.store.openUpstreams(10)).filter((upstream) => upstream.batchId === created.id).length === 2, async () => {});
    for (const upstream of await gw.store.upstreams(created.id)) {
      if (upstream.lane === 'openai_batch') openaiUp.expire(upstream.upstreamId);
      else anthropicUp.expire(upstream.upstreamId);
    }
    await gw.service.pollOnce();
    const batch = await client.batches.retrieve(created.id);
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
    expect(errors.map((entry) => [entry.custom_id, entry.error.code, entry.response])).toEqual([
      ['e-1', 'batch_expired', null],
      ['e-2', 'batch_expired', null],
    ]);
    // Nothing ran, nothing is billed: no ledger rows.
    expect(gw.rows.filter((row) => row.batchId === created.id)).toHaveLength(0);
  });

  it('cancelling cancels the upstream batches; their lines end batch_cancelled', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from([line('k-1', 'gpt-4o-mini', 'Cancel one'), line('k-2', 'claude-haiku-4-5', 'Cancel two')].join('\n')), 'cancel.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await until(async () => (await gw.store.upstreams(created.id)).length === 2, async () => {});
    expect((await client.batches.cancel(created.id)).status).toBe('cancelling');
    await until(async () => (await client.batches.retrieve(created.id)).status === 'cancelled', () => gw.service.pollOnce());
    const batch = await client.batches.retrieve(created.id);
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
    expect(errors.map((entry) => [entry.custom_id, entry.error.code])).toEqual([
      ['k-1', 'batch_cancelled'],
      ['k-2', 'batch_cancelled'],
    ]);
  });

  it('a submission whose upstream id was never stored (the process died) is found again, never sent twice', async () => {
    const texts = ['Crash after submit one', 'Crash after submit two'];
    // The instance dies between the provider accepting the batch and the upstream id reaching the store: here the
    // store's write fails once, so the submit job ends without it and the queue runs it again.
    const saveUpstream = gw.store.saveUpstream.bind(gw.store);
    let failed = 0;
    gw.store.saveUpstream = async (upstream) => {
      if (failed === 0 && upstream.state === 'open') {
        failed += 1;
        throw new Error('killed before the upstream id was stored');
      }
      return saveUpstream(upstream);
    };
    try {
      const file = await client.files.create({ file: await toFile(Buffer.from(texts.map((text, index) => line(`c-${index}`, 'gpt-4o-mini', text)).join('\n')), 'crash.jsonl'), purpose: 'batch' });
      const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      await until(async () => (await client.batches.retrieve(created.id)).status === 'completed', () => gw.service.pollOnce());
      expect(failed).toBe(1);
      // One upstream batch, tagged with the Frugal batch and provider; each line sent once.
      expect(texts.map((text) => openaiUp.linesSent.get(text))).toEqual([1, 1]);
      const upstreams = await gw.store.upstreams(created.id);
      expect(upstreams).toHaveLength(1);
      const batch = await client.batches.retrieve(created.id);
      expect(batch.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
      expect(gw.rows.filter((row) => row.batchId === created.id).map((row) => row.serviceTier)).toEqual(['batch', 'batch']);
    } finally {
      gw.store.saveUpstream = saveUpstream;
    }
  });
});
