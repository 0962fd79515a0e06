import OpenAI, { toFile } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { startBatchGateway } from '../testing/start-batch-gateway.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'batches on PostgreSQL');

describe.skipIf(!reachable)('Files + Batches API with PostgreSQL: file bytes in the database, lines on pg-boss', () => {
  const schemas = testSchemas('batchapi');
  afterAll(() => schemas.dropAll());

  it('two instances share one store and one queue: a batch created on one is answered and read on the other', async () => {
    const postgres = { url: TEST_DATABASE_URL, schema: schemas.schemaOf('shared') };
    const config = { cache: { enabled: false } };
    const first = await startBatchGateway(config, {}, { postgres });
    const second = await startBatchGateway(config, {}, { postgres });
    try {
      const lines = Array.from({ length: 25 }, (_, index) =>
        JSON.stringify({ custom_id: `pg-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Postgres line ${index}` }] } }),
      ).join('\n');
      const onFirst = new OpenAI({ baseURL: first.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const onSecond = new OpenAI({ baseURL: second.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const file = await onFirst.files.create({ file: await toFile(Buffer.from(lines), 'pg.jsonl'), purpose: 'batch' });
      expect(await (await onSecond.files.content(file.id)).text()).toBe(lines);
      const created = await onSecond.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const deadline = Date.now() + 20_000;
      let batch = await onFirst.batches.retrieve(created.id);
      while (batch.status !== 'completed') {
        if (Date.now() > deadline) throw new Error(`still ${batch.status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        batch = await onFirst.batches.retrieve(created.id);
      }
      expect(batch.request_counts).toEqual({ total: 25, completed: 25, failed: 0 });
      const output = (await (await onFirst.files.content(batch.output_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
      expect(output.map((entry) => entry.custom_id)).toEqual(Array.from({ length: 25 }, (_, index) => `pg-${index}`));
      // Each line ran on exactly one of the two instances: one ledger row per line across both.
      const rows = [...first.rows, ...second.rows].filter((row) => row.batchId === created.id);
      expect(rows).toHaveLength(25);
      expect(new Set(rows.map((row) => row.id)).size).toBe(25);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
