import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';

const chatLine = (customId: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: customId }], max_tokens: 5 } });

/** The SDK's auto-paging sends the last item's id as `after`: that item may be gone by the time the next page is asked for. */
describe('list cursors naming an item deleted mid-iteration (official openai client auto-paging)', () => {
  let gw: BatchGateway;
  let client: OpenAI;
  beforeAll(async () => {
    gw = await startBatchGateway({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'gpt-4o-mini', provider: 'sim', price: { input: 1, output: 2 } }], cache: { enabled: false } });
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gw.close());

  it('batches: each listed once, though the cursor of every page is deleted', async () => {
    const input = await client.files.create({ file: await toFile(Buffer.from(chatLine('one')), 'cursor.jsonl'), purpose: 'batch' });
    const made: string[] = [];
    for (let index = 0; index < 5; index += 1) made.push((await client.batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    const seen: string[] = [];
    const deleted: string[] = [];
    for await (const batch of client.batches.list({ limit: 2 })) {
      seen.push(batch.id);
      if (seen.length > 20) break;
      // The last of each page (the SDK's next cursor) goes, as a batch refused after it was listed goes.
      if (seen.length % 2 === 0) {
        await gw.store.deleteBatch(batch.id);
        deleted.push(batch.id);
      }
    }
    // Each once (order within one millisecond is by the ids' random part, so compared as sets).
    expect(seen).toHaveLength(made.length);
    expect(new Set(seen)).toEqual(new Set(made));
    expect(deleted.length).toBeGreaterThan(0);
  });

  it('files: each listed once though the caller deletes the cursor of every page', async () => {
    const made: string[] = [];
    for (let index = 0; index < 5; index += 1) made.push((await client.files.create({ file: await toFile(Buffer.from(chatLine(`f${index}`)), `f${index}.jsonl`), purpose: 'batch' })).id);
    const listed: string[] = [];
    for await (const file of client.files.list({ limit: 2, purpose: 'batch', order: 'asc' })) {
      listed.push(file.id);
      if (listed.length > 40) break;
      if (listed.length % 2 === 0) await client.files.delete(file.id);
    }
    expect(listed).toHaveLength(new Set(listed).size);
    const seen = listed.filter((id) => made.includes(id));
    expect(seen).toHaveLength(made.length);
    expect(new Set(seen)).toEqual(new Set(made));
  });

  it('a cursor that carries no position answers an empty page, never the first page again', async () => {
    const page = await client.batches.list({ after: 'batch_not-one-of-ours' });
    expect(page.data).toEqual([]);
    expect(page.has_more).toBe(false);
    const files = await client.files.list({ after: 'file-unknown' });
    expect(files.data).toEqual([]);
  });
});
