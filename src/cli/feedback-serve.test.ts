import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import OpenAI from 'openai';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startMockOpenAIServer } from '../testing/mock-openai-server.js';
import { killLeftovers, startServe } from '../testing/serve-child.js';
import { registerReportCommand } from './report-command.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  vi.unstubAllEnvs();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('frugal serve takes feedback into the ledger\'s database', { timeout: 60_000 }, () => {
  it('scores a reply before its row is flushed, and frugal report --quality shows it after shutdown', async () => {
    const upstream = await startMockOpenAIServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-feedback-serve-'));
    dirs.push(dataDir);
    // Rows wait ten minutes in the writer's batch: only the recent-requests map knows the request when it is scored.
    const served = await startServe(dataDir, `
providers:
  mock: { kind: openai, base_url: "${upstream.baseUrl}" }
models:
  - { name: gpt-4o-mini, provider: mock, price: { input: 0.15, output: 0.6 } }
ledger: { data_dir: "${dataDir}", flush_interval_ms: 600000 }
`);
    try {
      const client = new OpenAI({ apiKey: 'none', baseURL: `${served.baseUrl}/v1`, maxRetries: 0 });
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      const requestId = response.headers.get('x-frugal-request-id');
      const scored = await fetch(`${served.baseUrl}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request_id: requestId, score: true }) });
      expect(scored.status).toBe(200);
      served.child.kill('SIGTERM');
      expect((await served.exited).code).toBe(0);
    } finally {
      await upstream.close();
    }

    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('FRUGAL_CONFIG', '');
    let printed = '';
    const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text) });
    registerReportCommand(program);
    await program.parseAsync(['report', '--by', 'model', '--quality', '--json', '--data-dir', dataDir], { from: 'user' });
    expect(JSON.parse(printed).rows).toEqual([expect.objectContaining({ group: 'gpt-4o-mini', requests: 1, scored: 1, meanScore: 1, interval: 'wilson' })]);
  });
});
