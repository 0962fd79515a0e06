import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { formatUsd } from '../ledger/report-format.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { registerReportCommand } from './report-command.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-report-overhead-'));
  const store = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await store.migrate();
  await store.insert(ledgerWorkload());
  await store.close();
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));
beforeEach(() => {
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('FRUGAL_CONFIG', '');
  return () => vi.unstubAllEnvs();
});

async function report(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerReportCommand(program);
  await program.parseAsync(['report', ...args, '--data-dir', dataDir], { from: 'user' });
  return printed;
}

describe('quality overhead in reports', () => {
  const judged = ledgerWorkload().filter((row) => row.overhead === 'judge');
  const judgeCost = judged.reduce((sum, row) => sum + BigInt(row.costNanos), 0n);

  it('groups the caller’s traffic and each kind of overhead apart with --by overhead', async () => {
    const json = JSON.parse(await report('--by', 'overhead', '--json')) as { rows: Array<{ group: string; requests: number; costNanos: string }> };
    const byGroup = new Map(json.rows.map((row) => [row.group, row]));
    expect(judged.length).toBeGreaterThan(0);
    expect(byGroup.get('judge')).toMatchObject({ requests: judged.length, costNanos: judgeCost.toString() });
    expect(byGroup.get('caller')?.requests).toBe(ledgerWorkload().length - judged.length);
  });

  it('says under the quality table what the overhead cost', async () => {
    const text = await report('--by', 'model', '--quality');
    expect(text).toContain(`Quality overhead: ${formatUsd(judgeCost)} USD over ${judged.length} calls (judge ${formatUsd(judgeCost)})`);
  });
});
