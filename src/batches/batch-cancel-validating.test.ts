import OpenAI, { toFile } from 'openai';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { startBatchGateway } from '../testing/start-batch-gateway.js';
import { BATCH_LINES_TABLE, BATCHES_TABLE } from './batch-migrations.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'cancel while validating');

const chatLine = (customId: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: customId }], max_tokens: 5 } });

describe.skipIf(!reachable)('a batch cancelled while it validates, whose validation then fails', () => {
  const schemas = testSchemas('cancelvalidating');
  afterAll(() => schemas.dropAll());

  it('ends cancelled, not failed: the cancel the caller was told of wins', async () => {
    const schema = schemas.schemaOf('race');
    const gw = await startBatchGateway({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'gpt-4o-mini', provider: 'sim', price: { input: 1, output: 2 } }], cache: { enabled: false } }, {}, { postgres: { url: TEST_DATABASE_URL, schema } });
    // Holds the lines table: validation stores its first 500 lines before it reaches the bad last one, so it waits
    // here, still `validating`, for as long as the test likes — no timing.
    const lock = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await lock.connect();
    try {
      const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const jsonl = [...Array.from({ length: 600 }, (_, index) => chatLine(`v${index}`)), 'not a request'].join('\n');
      const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'late-failure.jsonl'), purpose: 'batch' });
      await lock.query('BEGIN');
      await lock.query(`LOCK TABLE "${schema}".${BATCH_LINES_TABLE} IN EXCLUSIVE MODE`);
      const creating = client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      let id: string | undefined;
      const deadline = Date.now() + 15_000;
      while (id === undefined) {
        if (Date.now() > deadline) throw new Error('the batch never appeared');
        const { rows } = await lock.query<{ id: string }>(`SELECT id FROM "${schema}".${BATCHES_TABLE} WHERE status = 'validating'`);
        id = rows[0]?.id;
        if (id === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const cancelled = await client.batches.cancel(id);
      expect(['cancelling', 'cancelled']).toContain(cancelled.status);
      await lock.query('COMMIT');
      const created = await creating;
      expect(created).toMatchObject({ id, status: 'cancelled', request_counts: { total: 0, completed: 0, failed: 0 } });
      const batch = await client.batches.retrieve(id);
      expect(batch).toMatchObject({ status: 'cancelled', output_file_id: null, error_file_id: null });
      expect(batch.cancelled_at).toBeGreaterThan(0);
      expect(batch.failed_at ?? null).toBeNull();
      for (let poll = 0; poll < 3; poll += 1) await gw.service.pollOnce();
      expect((await client.batches.retrieve(id)).status).toBe('cancelled');
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
      await gw.close();
    }
  });
});
