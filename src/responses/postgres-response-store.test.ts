import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startMockAnthropicServer } from '../testing/mock-anthropic-server.js';
import { startTestGateway } from '../testing/start-test-gateway.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { createPostgresResponseStore } from './postgres-response-store.js';
import { describeResponseStoreConformance } from './response-store.case.js';

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'postgres-response-store tests');
/** Every schema of this run starts with this prefix, so clean-up drops exactly what the run made. */
const runPrefix = `frugal_test_${randomBytes(4).toString('hex')}_`;

async function dropRunSchemas() {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [runPrefix]);
    for (const { nspname } of rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await admin.end();
  }
}

describe.skipIf(!reachable)('createPostgresResponseStore', () => {
  describeResponseStoreConformance('postgres', async () => ({
    durable: true,
    open: (name) => createPostgresResponseStore({ connectionString: TEST_DATABASE_URL, schema: `${runPrefix}${name.replaceAll('-', '_')}` }),
    cleanUp: dropRunSchemas,
  }));

  it('continues a conversation stored in PostgreSQL from a second gateway instance', async () => {
    const schema = `${runPrefix}gateways`;
    const upstream = await startMockAnthropicServer({ apiKey: 'sk-ant-pg-test-0123456789' });
    const config = {
      providers: { anthropic: { kind: 'anthropic', base_url: upstream.url, api_key: 'sk-ant-pg-test-0123456789' } },
      models: [{ name: 'claude-haiku-4-5', provider: 'anthropic', price: { input: 1, output: 5 } }],
      cache: { enabled: false },
    };
    const stores = [0, 1].map(() => createPostgresResponseStore({ connectionString: TEST_DATABASE_URL, schema }));
    await Promise.all(stores.map((store) => store.migrate()));
    const gateways = await Promise.all(stores.map((responses) => startTestGateway(config, {}, { responses })));
    try {
      const [one, two] = gateways.map((gateway) => new OpenAI({ apiKey: 'unused', baseURL: gateway.baseUrl, maxRetries: 0 }));
      const first = await one.responses.create({ model: 'claude-haiku-4-5', input: 'My name is Ada.' });
      const second = await two.responses.create({ model: 'claude-haiku-4-5', previous_response_id: first.id, input: 'What is my name?' });
      expect(second.status).toBe('completed');
      const sent = upstream.requests[upstream.requests.length - 1].body as { messages: unknown[] };
      expect(sent.messages).toEqual([
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello from the mock.' },
        { role: 'user', content: 'What is my name?' },
      ]);
      expect((await one.responses.retrieve(second.id)).previous_response_id).toBe(first.id);
    } finally {
      for (const gateway of gateways) await gateway.close();
      for (const store of stores) await store.close();
      await upstream.close();
      await dropRunSchemas();
    }
  });
});
