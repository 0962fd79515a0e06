import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';

const chatLine = (customId: string, text: string, model = 'gpt-4o-mini') =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: text }], max_tokens: 20 } });

async function waitFor(client: OpenAI, id: string, done: (status: string) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (done(batch.status)) return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Files + Batches API through the official openai client (own lane, simulated provider)', () => {
  let gw: BatchGateway;
  let client: OpenAI;
  beforeAll(async () => {
    gw = await startBatchGateway({ providers: { sim: { kind: 'simulated', ttft_ms: 60 } }, models: [{ name: 'gpt-4o-mini', provider: 'sim' }] });
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gw.close());

  it('runs every valid line through the pipeline and puts refused lines in the error file, in OpenAI’s line format', async () => {
    const refusedLine = (customId: string, body: Record<string, unknown>) => JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
    const jsonl = [chatLine('a', 'First question'), refusedLine('x', { model: 'gpt-4o-mini' }), chatLine('b', 'Second question'), refusedLine('c', { model: 'gpt-4o-mini', messages: 'not a list' }), chatLine('d', 'Third question')].join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'input.jsonl'), purpose: 'batch' });
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', bytes: Buffer.byteLength(jsonl), filename: 'input.jsonl' });
    expect((await client.files.retrieve(file.id)).id).toBe(file.id);

    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'nightly' } });
    expect(created).toMatchObject({ object: 'batch', endpoint: '/v1/chat/completions', input_file_id: file.id, completion_window: '24h', metadata: { job: 'nightly' } });
    const batch = await waitFor(client, created.id, (status) => status === 'completed');
    expect(batch.request_counts).toEqual({ total: 5, completed: 3, failed: 2 });
    expect(batch.in_progress_at).toBeGreaterThan(0);
    expect(batch.finalizing_at).toBeGreaterThan(0);
    expect(batch.completed_at).toBeGreaterThanOrEqual(batch.finalizing_at!);

    const output = await (await client.files.content(batch.output_file_id!)).text();
    const lines = output.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.custom_id)).toEqual(['a', 'b', 'd']);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['id', 'custom_id', 'response', 'error']);
      expect(line.id).toMatch(/^batch_req_[0-9a-f]{32}$/);
      expect(line.error).toBeNull();
      expect(line.response.status_code).toBe(200);
      expect(line.response.body.object).toBe('chat.completion');
    }
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((line) => JSON.parse(line));
    // The 400 the endpoint answers the same body over HTTP, as OpenAI answers a line it refuses when it runs it.
    expect(errors.map((line) => [line.custom_id, line.response.status_code, line.response.body.error.param])).toEqual([
      ['x', 400, 'messages'],
      ['c', 400, 'messages'],
    ]);
    expect(errors.every((line) => line.error === null)).toBe(true);

    // One ledger row per line that ran, tagged with the batch, priced as the pipeline priced it.
    const rows = gw.rows.filter((row) => row.batchId === batch.id);
    expect(rows).toHaveLength(3);
    const bodies = new Map(lines.map((line) => [line.response.request_id, line.response.body]));
    for (const row of rows) expect(bodies.has(row.id)).toBe(true);
  });

  it('runs /v1/embeddings and /v1/responses batches through their endpoints', async () => {
    const gwDemo = await startBatchGateway({ cache: { enabled: false } });
    try {
      const demo = new OpenAI({ baseURL: gwDemo.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const embeddings = ['alpha', 'beta'].map((text) => JSON.stringify({ custom_id: text, method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: text } })).join('\n');
      const responses = [
        JSON.stringify({ custom_id: 'r1', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o-mini', input: 'Say hello', max_output_tokens: 20 } }),
        JSON.stringify({ custom_id: 'r2', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o-mini', input: [{ type: 'message', role: 'user', content: 'And goodbye' }] } }),
      ].join('\n');
      for (const [endpoint, jsonl, check] of [
        ['/v1/embeddings', embeddings, (body: Record<string, unknown>) => expect(body).toMatchObject({ object: 'list', data: [{ object: 'embedding' }] })],
        ['/v1/responses', responses, (body: Record<string, unknown>) => expect(body).toMatchObject({ object: 'response', output: [{ type: 'message', role: 'assistant' }] })],
      ] as const) {
        const file = await demo.files.create({ file: await toFile(Buffer.from(jsonl), 'lines.jsonl'), purpose: 'batch' });
        const created = await demo.batches.create({ input_file_id: file.id, endpoint, completion_window: '24h' });
        const batch = await waitFor(demo, created.id, (status) => status === 'completed');
        expect(batch.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
        const output = (await (await demo.files.content(batch.output_file_id!)).text()).trimEnd().split('\n').map((line) => JSON.parse(line));
        for (const line of output) check(line.response.body);
        expect(gwDemo.rows.filter((row) => row.batchId === batch.id)).toHaveLength(2);
      }
    } finally {
      await gwDemo.close();
    }
  });

  it('lists batches newest first with cursor paging, and files by purpose', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from(chatLine('x', 'Hello')), 'one.jsonl'), purpose: 'batch' });
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) ids.push((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    const first = await client.batches.list({ limit: 2 });
    expect(first.data.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const all: string[] = [];
    for await (const batch of client.batches.list({ limit: 2 })) all.push(batch.id);
    expect(all.slice(0, 3)).toEqual([ids[2], ids[1], ids[0]]);
    const files = await client.files.list({ purpose: 'batch' });
    expect(files.data.some((found) => found.id === file.id)).toBe(true);
    expect(files.data.every((found) => found.purpose === 'batch')).toBe(true);
  });

  it('cancels a batch: lines not yet run end as batch_cancelled, the batch ends cancelled', async () => {
    const jsonl = Array.from({ length: 40 }, (_, index) => chatLine(`c${index}`, `Question ${index}`)).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'many.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const cancelling = await client.batches.cancel(created.id);
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    const batch = await waitFor(client, created.id, (status) => status === 'cancelled');
    expect(batch.cancelled_at).toBeGreaterThan(0);
    const counts = batch.request_counts!;
    expect(counts.total).toBe(40);
    expect(counts.completed + counts.failed).toBe(40);
    expect(counts.failed).toBeGreaterThan(0);
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(errors.every((line) => line.error.code === 'batch_cancelled')).toBe(true);
    await expect(client.batches.cancel(created.id)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('answers OpenAI-shaped errors: unknown file, wrong purpose, unknown batch, bad window', async () => {
    await expect(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 404 });
    await expect(client.batches.retrieve('batch_nope')).rejects.toMatchObject({ status: 404 });
    await expect(client.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'assistants' })).rejects.toMatchObject({ status: 400, param: 'purpose' });
    const file = await client.files.create({ file: await toFile(Buffer.from(chatLine('x', 'Hi')), 'one.jsonl'), purpose: 'batch' });
    await expect(client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '48h' as '24h' })).rejects.toMatchObject({ status: 400, param: 'completion_window' });
    await expect(client.files.delete(file.id)).resolves.toMatchObject({ id: file.id, deleted: true });
    await expect(client.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('Files + Batches API: keys and budgets', () => {
  it('refuses an upload past the size limit with 413 and keeps nothing of it', async () => {
    const gw = await startBatchGateway({ cache: { enabled: false } }, { maxFileBytes: 4_096 });
    try {
      const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const big = Array.from({ length: 100 }, (_, index) => chatLine(`big-${index}`, 'A line that makes the file too large')).join('\n');
      await expect(client.files.create({ file: await toFile(Buffer.from(big), 'big.jsonl'), purpose: 'batch' })).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
      expect((await client.files.list()).data).toEqual([]);
      const small = await client.files.create({ file: await toFile(Buffer.from(chatLine('ok', 'Small')), 'small.jsonl'), purpose: 'batch' });
      expect(small.bytes).toBe(Buffer.byteLength(chatLine('ok', 'Small')));
    } finally {
      await gw.close();
    }
  });

  it('a virtual key sees only its own files and batches', async () => {
    const gw = await startBatchGateway({ cache: { enabled: false } }, {}, { keys: true });
    try {
      const [first, second] = gw.apiKeys.map((apiKey) => new OpenAI({ baseURL: gw.baseUrl, apiKey, maxRetries: 0 }));
      const file = await first.files.create({ file: await toFile(Buffer.from(chatLine('k', 'Hi')), 'k.jsonl'), purpose: 'batch' });
      const batch = await first.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      await expect(second.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
      await expect(second.files.content(file.id)).rejects.toMatchObject({ status: 404 });
      await expect(second.batches.retrieve(batch.id)).rejects.toMatchObject({ status: 404 });
      await expect(second.batches.cancel(batch.id)).rejects.toMatchObject({ status: 404 });
      await expect(second.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 404 });
      expect((await second.batches.list()).data).toEqual([]);
      expect((await second.files.list()).data).toEqual([]);
      expect((await first.batches.list()).data.map((found) => found.id)).toEqual([batch.id]);
      await expect(new OpenAI({ baseURL: gw.baseUrl, apiKey: 'sk-wrong', maxRetries: 0 }).batches.list()).rejects.toMatchObject({ status: 401 });
    } finally {
      await gw.close();
    }
  });

  it('stops running a batch’s lines once its key is revoked: the rest end as key_revoked, with no call and no row', async () => {
    // One line at a time, each a fifth of a second: the revoke lands while most lines still wait.
    const gw = await startBatchGateway({ providers: { sim: { kind: 'simulated', ttft_ms: 200 } }, models: [{ name: 'gpt-4o-mini', provider: 'sim' }], cache: { enabled: false } }, { lineConcurrency: 1, concurrency: 1 }, { keys: true });
    try {
      const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: gw.apiKeys[0], maxRetries: 0 });
      const jsonl = Array.from({ length: 30 }, (_, index) => chatLine(`r${index}`, `Revoked question ${index}`)).join('\n');
      const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'revoke.jsonl'), purpose: 'batch' });
      const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      await waitFor(client, created.id, () => gw.rows.some((row) => row.batchId === created.id));
      await gw.revokeKey(gw.keyIds[0]);
      const rowsAtRevoke = gw.rows.filter((row) => row.batchId === created.id).length;
      // The other key cannot see it, and the revoked one is refused.
      const other = new OpenAI({ baseURL: gw.baseUrl, apiKey: gw.apiKeys[1], maxRetries: 0 });
      await expect(other.batches.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
      await expect(client.batches.retrieve(created.id)).rejects.toMatchObject({ status: 401 });
      // Read from the store: the key that owns the batch can no longer ask.
      const deadline = Date.now() + 20_000;
      let batch = await gw.store.getBatch(created.id);
      while (batch?.status !== 'completed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        batch = await gw.store.getBatch(created.id);
      }
      expect(batch?.status).toBe('completed');
      const rows = gw.rows.filter((row) => row.batchId === created.id);
      // At most the lines already running (and the one that may have checked the key within the last second) ran on.
      expect(rows.length).toBeLessThanOrEqual(rowsAtRevoke + 6);
      expect(rows.length).toBeLessThan(30);
      const chunks: Buffer[] = [];
      for await (const chunk of gw.store.readFile(batch!.errorFileId!)) chunks.push(chunk);
      const errors = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(errors.length).toBe(30 - rows.length);
      expect(new Set(errors.map((line) => line.error.code))).toEqual(new Set(['key_revoked']));
    } finally {
      await gw.close();
    }
  });

  it('runs a batch apart from its key’s per-minute limits: every line is answered, and the key’s real-time calls keep their quota', async () => {
    const gw = await startBatchGateway({ cache: { enabled: false } }, {}, { keys: { rpm: 2 } });
    try {
      const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: gw.apiKeys[0], maxRetries: 0 });
      const jsonl = Array.from({ length: 8 }, (_, index) => chatLine(`p${index}`, `Paced question ${index}`)).join('\n');
      const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'paced.jsonl'), purpose: 'batch' });
      const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const batch = await waitFor(client, created.id, (status) => status === 'completed');
      expect(batch.request_counts).toEqual({ total: 8, completed: 8, failed: 0 });
      expect(gw.rows.filter((row) => row.batchId === created.id && row.status === 'ok')).toHaveLength(8);
      // The key's two requests a minute are still its own (the two API calls above are not chat calls).
      const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Real-time question' }], max_tokens: 10 });
      await expect(ask()).resolves.toMatchObject({ object: 'chat.completion' });
      await expect(ask()).resolves.toMatchObject({ object: 'chat.completion' });
      await expect(ask()).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    } finally {
      await gw.close();
    }
  });

  it('refuses a batch whose lines cannot fit a budget, naming it, and settles each line of one that fits', async () => {
    const lines = Array.from({ length: 3 }, (_, index) => chatLine(`b${index}`, `Budget question ${index}`)).join('\n');
    const tight = await startBatchGateway({ budgets: [{ scope: 'global', limit_usd: '0.00001', period: 'day' }], cache: { enabled: false } });
    try {
      const client = new OpenAI({ baseURL: tight.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const file = await client.files.create({ file: await toFile(Buffer.from(lines), 'b.jsonl'), purpose: 'batch' });
      const refused = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 402, code: 'budget_exceeded' });
      expect((refused as Error).message).toContain("Budget 'global");
      expect((await client.batches.list()).data).toEqual([]);
      // Nothing stays held by the refused batch.
      const usage = await tight.gateway.spendControl.store.usage({ id: 'global', limitNanos: 10_000, period: 'day', hard: true });
      expect(usage.reservedNanos).toBe(0);
    } finally {
      await tight.close();
    }
    const roomy = await startBatchGateway({ budgets: [{ scope: 'global', limit_usd: '5', period: 'day' }], cache: { enabled: false } });
    try {
      const client = new OpenAI({ baseURL: roomy.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const file = await client.files.create({ file: await toFile(Buffer.from(lines), 'b.jsonl'), purpose: 'batch' });
      const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const scope = { id: 'global', limitNanos: 5_000_000_000, period: 'day' as const, hard: true };
      const held = await roomy.gateway.spendControl.store.usage(scope);
      await waitFor(client, created.id, (status) => status === 'completed');
      const after = await roomy.gateway.spendControl.store.usage(scope);
      const spent = roomy.rows.filter((row) => row.batchId === created.id).reduce((sum, row) => sum + row.costNanos, 0);
      expect(spent).toBeGreaterThan(0);
      expect(after).toMatchObject({ spentNanos: spent, reservedNanos: 0 });
      expect(held.reservedNanos + held.spentNanos).toBeGreaterThan(0);
    } finally {
      await roomy.close();
    }
  });
});
