import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ledgerWorkload, WORKLOAD_START } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { registerReportCommand } from './report-command.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-distill-'));
  const store = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await store.migrate();
  await store.insert(ledgerWorkload());
  await store.close();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('FRUGAL_CONFIG', '');
  return () => vi.unstubAllEnvs();
});

async function report(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerReportCommand(program);
  await program.parseAsync(['report', ...args], { from: 'user' });
  return printed;
}

const DAY = 86_400_000;
const window = ['--since', new Date(WORKLOAD_START).toISOString(), '--until', new Date(WORKLOAD_START + 15 * DAY).toISOString()];

describe('frugal report --distill', () => {
  it('projects each task to a 30-day month and prices its tokens at the distilled model\'s rate', async () => {
    // The workload's 50 rows fall in 15 days, so a month is twice the window. 'chat' (13 rows, 13 325 prompt and
    // 4 355 completion tokens, 338 001 027 nano) → 26 calls, 676 002 054 nano a month; distilled at $0.2 / $0.8:
    // 13 325 × 200 + 4 355 × 800 = 6 149 000 nano → 12 298 000. No task (37 rows): 937 002 847 → 1 874 005 694;
    // 37 000 × 200 + 12 070 × 800 = 17 056 000 → 34 112 000.
    const parsed = JSON.parse(await report('--distill', '--distill-min-calls', '20', '--json', '--data-dir', dataDir, ...window));
    expect(parsed.minMonthlyCalls).toBe(20);
    expect(parsed.tasks).toEqual([
      { task: null, requests: 37, monthlyCalls: 74, monthlySpendNanos: '1874005694', distilledMonthlyNanos: '34112000', monthlySavingNanos: '1839893694', passes: true },
      { task: 'chat', requests: 13, monthlyCalls: 26, monthlySpendNanos: '676002054', distilledMonthlyNanos: '12298000', monthlySavingNanos: '663704054', passes: true },
    ]);
  });

  it('prints a table that says when no task has the volume, at the default bar and a given price', async () => {
    const text = await report('--distill', '--distill-price', '0.1,0.4', '--data-dir', dataDir, ...window);
    expect(text).toContain('No task reaches 1,000,000 calls a month');
    expect(text).toContain('$0.1 / $0.4 per 1M tokens');
    expect(text.split('\n').find((line) => line.startsWith('chat'))!.split(/\s+/)).toEqual(['chat', '13', '26', '0.68', '0.01', '0.67', 'too', 'few']);
  });

  it('refuses a price it cannot read and --distill with --by', async () => {
    await expect(report('--distill', '--distill-price', 'cheap', '--data-dir', dataDir)).rejects.toThrow(/--distill-price: USD per 1M input and output tokens/);
    await expect(report('--distill', '--by', 'model', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.conflictingOption' });
  });
});
