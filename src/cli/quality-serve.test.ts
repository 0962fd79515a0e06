import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import OpenAI from 'openai';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startMockOpenAIServer } from '../testing/mock-openai-server.js';
import { killLeftovers, startServe } from '../testing/serve-child.js';
import { registerReportCommand } from './report-command.js';
import { registerReviewCommand } from './review-command.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  vi.unstubAllEnvs();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function run(register: (program: Command) => void, args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text) });
  register(program);
  await program.parseAsync(args, { from: 'user' });
  return printed;
}

describe('frugal serve samples, judges and splits traffic', { timeout: 60_000 }, () => {
  it('keeps redacted samples, judge rows and experiment arms in its ledger, for review and report --experiment', async () => {
    const main = await startMockOpenAIServer({ name: 'main' });
    const judge = await startMockOpenAIServer({ name: 'judge' });
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-quality-serve-'));
    dirs.push(dataDir);
    const served = await startServe(dataDir, `
providers:
  main: { kind: openai, base_url: "${main.baseUrl}" }
  judge: { kind: openai, base_url: "${judge.baseUrl}" }
models:
  - { name: m-a, provider: main, price: { input: 2, output: 8 } }
  - { name: m-b, provider: main, price: { input: 0.2, output: 0.8 } }
  - { name: m-judge, provider: judge, price: { input: 5, output: 15 } }
ledger: { data_dir: "${dataDir}", flush_interval_ms: 50 }
quality:
  budget_usd: 1
  routes:
    auto: { sample: 1, redact: ['ACCT-\\d+'], judge: { model: m-judge, rubric: "correct?" } }
experiments:
  ab: { route: auto, arms: { a: { model: m-a, percent: 50 }, b: { model: m-b, percent: 50 } }, start: "2020-01-01T00:00:00Z" }
`);
    const ids: string[] = [];
    try {
      const client = new OpenAI({ apiKey: 'none', baseURL: `${served.baseUrl}/v1`, maxRetries: 0 });
      for (let user = 0; user < 6; user += 1) {
        const { response } = await client.chat.completions
          .create({ model: 'auto', user: `u${user}`, messages: [{ role: 'user', content: `my account ACCT-77${user} [[mock(judge):content={"score": 0.${user + 2}}]]` }] })
          .withResponse();
        expect(response.headers.get('x-frugal-experiment')).toMatch(/^ab=[ab]$/);
        ids.push(response.headers.get('x-frugal-request-id')!);
      }
      // Judges run in the background; give them until every judge call was made, then shut down cleanly.
      const deadline = Date.now() + 10_000;
      while (judge.requests.filter((request) => request.path === '/v1/chat/completions').length < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 300));
      served.child.kill('SIGTERM');
      expect((await served.exited).code).toBe(0);
    } finally {
      await Promise.all([main.close(), judge.close()]);
    }

    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('FRUGAL_CONFIG', '');
    const listed = JSON.parse(await run(registerReviewCommand, ['review', '--json', '--data-dir', dataDir])) as Array<{ requestId: string; requestJson: string }>;
    expect(listed.map((sample) => sample.requestId).sort()).toEqual([...ids].sort());
    for (const sample of listed) expect(sample.requestJson).not.toMatch(/ACCT-77/);
    const report = JSON.parse(await run(registerReportCommand, ['report', '--experiment', 'ab', '--json', '--data-dir', dataDir])) as { arms: Array<{ arm: string; requests: number; quality: { scored: number } }>; judgeCostNanos: string };
    expect(report.arms.reduce((sum, arm) => sum + arm.requests, 0)).toBe(6);
    expect(report.arms.reduce((sum, arm) => sum + arm.quality.scored, 0)).toBe(6);
    expect(BigInt(report.judgeCostNanos)).toBeGreaterThan(0n);
  });
});
