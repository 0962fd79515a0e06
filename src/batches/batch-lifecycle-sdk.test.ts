import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';

const chatLine = (customId: string, text: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 20 } });

const parseLines = (text: string) => text.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line));

async function waitFor(client: OpenAI, id: string, done: (status: string) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (done(batch.status)) return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('batch lifecycle through the official openai client: cancel, money, paging, deleting files in use', () => {
  let gw: BatchGateway;
  let client: OpenAI;
  const scope = { id: 'global', limitNanos: 5_000_000_000, period: 'day' as const, hard: true };
  beforeAll(async () => {
    // One line at a time, each a tenth of a second: a cancel lands while most lines still wait.
    gw = await startBatchGateway(
      { providers: { sim: { kind: 'simulated', ttft_ms: 100 } }, models: [{ name: 'gpt-4o-mini', provider: 'sim', price: { input: 1, output: 2 } }], cache: { enabled: false }, budgets: [{ scope: 'global', limit_usd: '5', period: 'day' }] },
      { lineConcurrency: 1, concurrency: 1 },
    );
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gw.close());

  it('cancelled mid-run: what ran is in the output file with one row each, what did not run is never billed nor held', async () => {
    const jsonl = Array.from({ length: 20 }, (_, index) => chatLine(`c${index}`, `Question number ${index}`)).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'cancel.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(created.status).toBe('in_progress');
    // The input file is not needed once the batch is accepted: deleting it changes nothing for the batch.
    await expect(client.files.delete(file.id)).resolves.toMatchObject({ deleted: true });
    await waitFor(client, created.id, () => gw.rows.some((row) => row.batchId === created.id));
    const cancelling = await client.batches.cancel(created.id);
    expect(cancelling.cancelling_at).toBeGreaterThan(0);
    const batch = await waitFor(client, created.id, (status) => status === 'cancelled');
    expect(batch.cancelled_at).toBeGreaterThanOrEqual(batch.cancelling_at!);
    expect(batch.completed_at).toBeNull();
    const counts = batch.request_counts!;
    expect(counts.total).toBe(20);
    expect(counts.completed + counts.failed).toBe(20);
    expect(counts.completed).toBeGreaterThan(0);
    expect(counts.failed).toBeGreaterThan(0);
    const output = parseLines(await (await client.files.content(batch.output_file_id!)).text());
    const errors = parseLines(await (await client.files.content(batch.error_file_id!)).text());
    expect(output).toHaveLength(counts.completed);
    expect(errors).toHaveLength(counts.failed);
    expect(errors.every((line) => line.response === null && line.error.code === 'batch_cancelled')).toBe(true);
    // Exactly one row per completed line, none for a line that never ran; nothing stays held for them.
    const rows = gw.rows.filter((row) => row.batchId === created.id);
    expect(rows.map((row) => row.id).sort()).toEqual(output.map((line) => line.response.request_id).sort());
    expect(rows.every((row) => row.costNanos > 0)).toBe(true);
    const usage = await gw.gateway.spendControl.store.usage(scope);
    expect(usage.reservedNanos).toBe(0);
    // Cancelling again answers the batch as it is; the output file still reads after the input file is gone.
    await expect(client.batches.cancel(created.id)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('pages files and batches with limit and after, has_more, first_id and last_id', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push((await client.files.create({ file: await toFile(Buffer.from(chatLine(`p${index}`, 'Hi')), `p${index}.jsonl`), purpose: 'batch' })).id);
    }
    const first = await client.files.list({ limit: 2, purpose: 'batch' });
    expect(first.data.map((file) => file.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = await client.files.list({ limit: 2, purpose: 'batch', after: ids[1] });
    expect(second.data.map((file) => file.id)).toEqual([ids[0]]);
    expect(second.has_more).toBe(false);
    const batchIds: string[] = [];
    for (const id of ids) batchIds.push((await client.batches.create({ input_file_id: id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    const page = await client.batches.list({ limit: 2 });
    expect(page.data.map((batch) => batch.id)).toEqual([batchIds[2], batchIds[1]]);
    expect(page.has_more).toBe(true);
    const next = await client.batches.list({ limit: 2, after: batchIds[1] });
    expect(next.data[0].id).toBe(batchIds[0]);
    for (const id of batchIds) await waitFor(client, id, (status) => status === 'completed');
  });

  it('expires mid-run: in_progress → expired, what ran is in the output file, the rest batch_expired and unbilled', async () => {
    // A window of one second and lines of a tenth of a second, one at a time: most lines are still waiting at expiry.
    const short = await startBatchGateway(
      { providers: { sim: { kind: 'simulated', ttft_ms: 100 } }, models: [{ name: 'gpt-4o-mini', provider: 'sim', price: { input: 1, output: 2 } }], cache: { enabled: false } },
      { lineConcurrency: 1, concurrency: 1, windowMs: 1_000 },
    );
    try {
      const shortClient = new OpenAI({ baseURL: short.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const jsonl = Array.from({ length: 40 }, (_, index) => chatLine(`x${index}`, `Expiring question ${index}`)).join('\n');
      const file = await shortClient.files.create({ file: await toFile(Buffer.from(jsonl), 'expire.jsonl'), purpose: 'batch' });
      const created = await shortClient.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      expect(created.expires_at! - created.created_at).toBeLessThanOrEqual(2);
      const batch = await waitFor(shortClient, created.id, (status) => status === 'expired');
      expect(batch.expired_at).toBeGreaterThan(0);
      expect(batch.completed_at).toBeNull();
      const counts = batch.request_counts!;
      expect(counts.completed + counts.failed).toBe(40);
      expect(counts.failed).toBeGreaterThan(0);
      const errors = parseLines(await (await shortClient.files.content(batch.error_file_id!)).text());
      expect(errors.every((line) => line.response === null && line.error.code === 'batch_expired')).toBe(true);
      const outputId = batch.output_file_id;
      const output = outputId ? parseLines(await (await shortClient.files.content(outputId)).text()) : [];
      const rows = short.rows.filter((row) => row.batchId === created.id);
      expect(rows.map((row) => row.id).sort()).toEqual(output.map((line) => line.response.request_id).sort());
    } finally {
      await short.close();
    }
  });
});
