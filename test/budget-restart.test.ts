import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer } from '../src/testing/mock-openai-server.js';
import { killLeftovers, ledgerRows, startServe } from '../src/testing/serve-child.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('budgets on the embedded defaults (memory counters, SQLite ledger)', { timeout: 90_000 }, () => {
  it('resume after a restart from what the ledger holds for the period, instead of starting again at 0', async () => {
    const upstream = await startMockOpenAIServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-budget-restart-'));
    dirs.push(dataDir);
    // $1 000 per million tokens: each short call costs about a cent, so a $0.05 budget holds a handful.
    const config = [
      `providers: { mock: { kind: openai, base_url: "${upstream.baseUrl}" } }`,
      'models: [{ name: dear, provider: mock, price: { input: 1000, output: 1000 } }]',
      'budgets: [{ scope: global, limit_usd: 0.05, period: month }]',
      `ledger: { data_dir: "${dataDir}" }`,
      '',
    ].join('\n');
    const ask = (client: OpenAI) => client.chat.completions.create({ model: 'dear', max_tokens: 5, messages: [{ role: 'user', content: 'Say hi' }] });
    try {
      const first = await startServe(dataDir, config);
      const client = new OpenAI({ apiKey: 'x', baseURL: `${first.baseUrl}/v1`, maxRetries: 0 });
      let answered = 0;
      let refused: unknown;
      while (refused === undefined && answered < 50) {
        await ask(client).then(() => (answered += 1), (error: unknown) => (refused = error));
      }
      expect(answered).toBeGreaterThan(0);
      expect(refused).toMatchObject({ status: 429, code: 'budget_exceeded' });
      first.child.kill('SIGTERM');
      await first.exited;

      const second = await startServe(dataDir, config);
      const again = new OpenAI({ apiKey: 'x', baseURL: `${second.baseUrl}/v1`, maxRetries: 0 });
      // The month's spend is in the ledger: the restarted gateway refuses as the first one did.
      await expect(ask(again)).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
      second.child.kill('SIGTERM');
      await second.exited;
      const rows = ledgerRows(dataDir);
      expect(rows.filter((row) => row.status === 'ok')).toHaveLength(answered);
    } finally {
      await upstream.close();
    }
  });
});
