import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresReachable, TEST_DATABASE_URL } from '../src/testing/services.js';
import { createLedgerWriter } from '../src/ledger/ledger-writer.js';
import type { LedgerStore } from '../src/ledger/ledger-store.js';
import { createPostgresLedgerStore } from '../src/ledger/postgres-ledger-store.js';
import { createSqliteLedgerStore } from '../src/ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig } from '../src/pipeline/create-gateway.js';
import { validateConfig } from '../src/config/load-config.js';
import { startMockOpenAIServer } from '../src/testing/mock-openai-server.js';
import { createServer } from '../src/server/create-server.js';

const DATABASE_URL = TEST_DATABASE_URL;
const schema = `frugal_e2e_${randomBytes(4).toString('hex')}`;
const pgUp = await postgresReachable();
if (!pgUp && process.env.CI !== 'true') console.warn(`SKIPPED the PostgreSQL ledger end-to-end test: nothing at ${DATABASE_URL} (it fails instead when CI=true).`);

afterAll(async () => {
  if (!pgUp) return;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

// $0.15 in, $0.60 out, $0.075 cached per 1M → 150 / 600 / 75 nano-dollars per token.
const PRICE = { input: 0.15, output: 0.6, cached_input: 0.075 };
const nanos = (usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number }) =>
  (usage.prompt_tokens - usage.cached_tokens) * 150 + usage.cached_tokens * 75 + usage.completion_tokens * 600;

/** A known workload through the real server and writer into a real store; the report must match the upstream's usage exactly. */
async function runWorkload(store: LedgerStore) {
  const upstream = await startMockOpenAIServer();
  await store.migrate();
  const writer = createLedgerWriter(store, { flushIntervalMs: 20 });
  const config = validateConfig(
    { providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } }, models: [{ name: 'gpt-4o-mini', provider: 'mock', price: PRICE }], cache: { enabled: false } },
    { env: {} },
  );
  const gateway = createGatewayFromConfig(config, writer);
  const app = createServer({ gateway, logger: pino({ level: 'silent' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const client = new OpenAI({ apiKey: 'x', baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
  const expected = new Map<string, { requests: number; cost: bigint; prompt: number; completion: number; cached: number }>();
  const add = (feature: string, usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number } | undefined) => {
    const entry = expected.get(feature) ?? { requests: 0, cost: 0n, prompt: 0, completion: 0, cached: 0 };
    entry.requests += 1;
    if (usage) {
      entry.cost += BigInt(nanos(usage));
      entry.prompt += usage.prompt_tokens;
      entry.completion += usage.completion_tokens;
      entry.cached += usage.cached_tokens;
    }
    expected.set(feature, entry);
  };
  for (let i = 0; i < 12; i += 1) {
    const feature = ['summarize', 'chat', 'extract'][i % 3];
    const headers = { 'x-frugal-tags': `feature=${feature},team=t${i % 2}` };
    const content = `request ${i} [[mock:words=${5 + i},cached_tokens=${i % 4 === 0 ? 3 : 0}]]`;
    if (i % 3 === 0) {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: i % 2 === 0 ? { include_usage: true } : undefined, messages: [{ role: 'user', content }] }, { headers });
      let id = '';
      for await (const chunk of stream) id = chunk.id;
      add(feature, upstream.usageSent.get(id));
    } else {
      const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, { headers });
      add(feature, upstream.usageSent.get(reply.id));
    }
  }
  // One failure: a row with no cost.
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[mock:status=500]]' }] }, { headers: { 'x-frugal-tags': 'feature=chat' } }).catch(() => undefined);
  add('chat', undefined);

  await app.close();
  await writer.close();
  await gateway.close();
  await upstream.close();
  return expected;
}

async function checkReport(store: LedgerStore) {
  const expected = await runWorkload(store);
  const report = await store.report({ by: 'feature' });
  expect(report).toHaveLength(3);
  for (const row of report) {
    const want = expected.get(row.group!)!;
    expect({ requests: row.requests, cost: row.costNanos, prompt: row.promptTokens, completion: row.completionTokens, cached: row.cachedTokens }).toEqual(want);
  }
  const rows = await store.rows({});
  expect(rows).toHaveLength(13);
  expect(rows.filter((row) => row.status === 'error')).toHaveLength(1);
  expect(rows.filter((row) => row.stream)).toHaveLength(4);
  expect(rows.every((row) => !row.tokensEstimated)).toBe(true);
  await store.close();
}

describe('ledger end to end', () => {
  it('is exact for a known workload on SQLite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-e2e-'));
    await checkReport(createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') }));
  });

  it.runIf(pgUp || process.env.CI === 'true')('is exact for a known workload on PostgreSQL', async () => {
    expect(pgUp, `PostgreSQL is not reachable at ${DATABASE_URL}`).toBe(true);
    await checkReport(createPostgresLedgerStore({ connectionString: DATABASE_URL, schema }));
  });
});
