import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';

const chatLine = (customId: string, text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 20 }, ...extra });

async function waitFor(client: OpenAI, id: string, done: (status: string) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (done(batch.status)) return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Batch input validation through the official openai client: a file that is not a batch fails it, as OpenAI’s does', () => {
  let gw: BatchGateway;
  let client: OpenAI;
  beforeAll(async () => {
    // body_limit_mb 0.1: a line past ~170 kB is larger than any body the endpoint takes.
    gw = await startBatchGateway({ cache: { enabled: false }, server: { body_limit_mb: 0.1 } }, { maxLines: 5 });
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gw.close());

  async function create(content: Buffer | string) {
    const file = await client.files.create({ file: await toFile(Buffer.from(content), 'input.jsonl'), purpose: 'batch' });
    return client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  }

  it('fails the batch listing every bad line by its line in the file (blank lines counted), and runs none of it', async () => {
    const jsonl = [
      chatLine('a', 'Valid first line'),
      '',
      '{not json',
      chatLine('a', 'Same custom_id again'),
      JSON.stringify({ custom_id: 'e', method: 'POST', url: '/v1/embeddings', body: { model: 'gpt-4o-mini', input: 'x' } }),
      chatLine('m', 'Wrong method', { method: 'GET' }),
    ].join('\n');
    const batch = await create(jsonl);
    expect(batch.status).toBe('failed');
    expect(batch.failed_at).toBeGreaterThan(0);
    expect(batch.in_progress_at).toBeNull();
    expect(batch.errors?.object).toBe('list');
    expect(batch.errors?.data?.map((error) => [error.line, error.code, error.param])).toEqual([
      [3, 'invalid_json_line', null],
      [4, 'duplicate_custom_id', 'custom_id'],
      [5, 'mismatched_endpoint', 'url'],
      [6, 'invalid_method', 'method'],
    ]);
    expect(batch.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
    expect(batch.output_file_id).toBeNull();
    expect(batch.error_file_id).toBeNull();
    // The valid first line never ran: no call, no row, and the batch reads back the same.
    expect(gw.rows.filter((row) => row.batchId === batch.id)).toEqual([]);
    expect(await client.batches.retrieve(batch.id)).toMatchObject({ status: 'failed', request_counts: { total: 0, completed: 0, failed: 0 } });
  });

  it('fails a file that is not JSONL, one that is not UTF-8, and an empty one', async () => {
    const text = await create('Dear model,\nplease answer these questions.\n');
    expect(text.errors?.data?.map((error) => [error.line, error.code])).toEqual([
      [1, 'invalid_json_line'],
      [2, 'invalid_json_line'],
    ]);
    // Latin-1 "é" (0xe9) is no UTF-8: refused, never run with a replacement character in the prompt.
    const latin1 = Buffer.concat([Buffer.from(`${chatLine('ok', 'Fine')}\n`), Buffer.from(chatLine('bad', 'caf\u00e9'), 'latin1')]);
    const notUtf8 = await create(latin1);
    expect(notUtf8.status).toBe('failed');
    expect(notUtf8.errors?.data?.map((error) => [error.line, error.code])).toEqual([[2, 'invalid_json_line']]);
    const empty = await create('\n\n');
    expect(empty).toMatchObject({ status: 'failed', request_counts: { total: 0, completed: 0, failed: 0 } });
    expect(empty.errors?.data?.map((error) => error.code)).toEqual(['empty_file']);
  });

  it('fails a line larger than any body the endpoint takes, and a file with more requests than the limit, naming the line', async () => {
    const huge = chatLine('huge', 'x'.repeat(200_000));
    const tooLarge = await create([chatLine('a', 'Small'), huge].join('\n'));
    expect(tooLarge.errors?.data?.map((error) => [error.line, error.code])).toEqual([[2, 'payload_too_large']]);
    const six = Array.from({ length: 6 }, (_, index) => chatLine(`n${index}`, `Question ${index}`)).join('\n');
    const tooMany = await create(six);
    expect(tooMany).toMatchObject({ status: 'failed', request_counts: { total: 0, completed: 0, failed: 0 } });
    expect(tooMany.errors?.data?.map((error) => [error.line, error.code])).toEqual([[6, 'too_many_requests']]);
  });

  it('skips blank lines and CRLF endings in a valid file, and still puts a body the endpoint refuses in the error file', async () => {
    const jsonl = ['', chatLine('a', 'First'), '', JSON.stringify({ custom_id: 'no-messages', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } }), chatLine('c', 'Third'), ''].join('\r\n');
    const created = await create(jsonl);
    const batch = await waitFor(client, created.id, (status) => status === 'completed');
    expect(batch.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ custom_id: 'no-messages', error: null, response: { status_code: 400, body: { error: { param: 'messages' } } } });
    expect(errors[0].response.request_id).toEqual(expect.any(String));
  });
});
