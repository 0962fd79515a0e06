import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, startServe } from '../../testing/serve-child.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const config = (dataDir: string, ledger: string) => `
providers:
  sim: { kind: simulated, ttft_ms: 0, tokens_per_second: 5000, output_tokens: 6 }
models:
  - { name: sim-model, provider: sim, price: { input: 1, output: 2 } }
ledger: { data_dir: "${dataDir}"${ledger} }
`;

describe('frugal serve keeps stored responses beside the ledger', { timeout: 60_000 }, () => {
  it('in the ledger’s SQLite file, across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-responses-serve-'));
    dirs.push(dataDir);
    const first = await startServe(dataDir, config(dataDir, ''));
    expect(first.output()).toContain('sqlite (');
    const created = await new OpenAI({ apiKey: 'none', baseURL: `${first.baseUrl}/v1`, maxRetries: 0 }).responses.create({ model: 'sim-model', input: 'Remember me.' });
    first.child.kill('SIGTERM');
    await first.exited;

    const second = await startServe(dataDir, config(dataDir, ''));
    const client = new OpenAI({ apiKey: 'none', baseURL: `${second.baseUrl}/v1`, maxRetries: 0 });
    expect((await client.responses.retrieve(created.id)).output_text).toBe(created.output_text);
    const next = await client.responses.create({ model: 'sim-model', previous_response_id: created.id, input: 'Still there?' });
    expect(next.previous_response_id).toBe(created.id);
    second.child.kill('SIGTERM');
    await second.exited;
    const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      expect((db.prepare('select count(*) as n from frugal_responses').get() as { n: number }).n).toBe(2);
      expect((db.prepare('select count(*) as n from frugal_ledger').get() as { n: number }).n).toBe(2);
    } finally {
      db.close();
    }
  });

  it('in a bounded memory store when the ledger is off, and says so at start-up', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-responses-serve-'));
    dirs.push(dataDir);
    const served = await startServe(dataDir, config(dataDir, ', enabled: false'));
    expect(served.output()).toContain('stored responses (/v1/responses) are kept in memory');
    const client = new OpenAI({ apiKey: 'none', baseURL: `${served.baseUrl}/v1`, maxRetries: 0 });
    const created = await client.responses.create({ model: 'sim-model', input: 'Hi' });
    expect((await client.responses.retrieve(created.id)).id).toBe(created.id);
    served.child.kill('SIGTERM');
    await served.exited;
  });
});
