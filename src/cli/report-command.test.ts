import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { registerReportCommand } from './report-command.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-report-'));
  const store = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await store.migrate();
  await store.insert(ledgerWorkload());
  await store.close();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  // The developer's own ledger settings must not leak into the run.
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('FRUGAL_DATA_DIR', join(dataDir, 'not-this-one'));
  return () => vi.unstubAllEnvs();
});

/** Runs `frugal report …` as the CLI would and returns what it printed. */
async function report(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerReportCommand(program);
  await program.parseAsync(['report', ...args], { from: 'user' });
  return printed;
}

function cells(line: string | undefined) {
  return line?.trim().split(/\s+/);
}

describe('frugal report', () => {
  it('prints a table by model whose TOTAL line holds the exact sums of the ledger', async () => {
    const lines = (await report('--by', 'model', '--data-dir', dataDir)).trimEnd().split('\n');
    expect(lines[0]).toBe('spend by model, from the first row to now');
    expect(cells(lines[2])).toEqual(['model', 'requests', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'errors', 'estimated', 'spend_usd', 'saved_usd']);
    // Spent 1 275 003 874 and saved 624 000 312 nano-dollars, each rounded to the micro-dollar.
    expect(cells(lines.at(-1))).toEqual(['TOTAL', '50', '50325', '16425', '832', '5', '8', '1.275004', '0.624000']);
    expect(lines.filter((line) => /^(gpt-4o-mini|gpt-4o|claude-haiku|\(none\)) /.test(line))).toHaveLength(4);
  });

  it('limits the report to --since and --until', async () => {
    const json = JSON.parse(await report('--by', 'week', '--since', '2025-03-10', '--until', '2030-01-01', '--json', '--data-dir', dataDir));
    // Rows 24…49: cost 1 000 003 × (25 + … + 50) + Σ i mod 3 = 975 002 925 + 25;
    // saved 2 000 001 × (24 + 28 + … + 48) = 2 000 001 × 252 = 504 000 252.
    expect(json.total).toMatchObject({ requests: 26, costNanos: '975002950', costUsd: '0.975002950', savedNanos: '504000252', savedUsd: '0.504000252' });
    expect(json.rows.map((row: { group: string }) => row.group)).toEqual(['2025-03-10', '2025-03-17']);
  });

  it('prints CSV, one line per group, and reads the data dir from FRUGAL_DATA_DIR', async () => {
    vi.stubEnv('FRUGAL_DATA_DIR', dataDir);
    const lines = (await report('--by', 'status', '--csv')).split('\r\n');
    expect(lines[0]).toBe('status,requests,prompt_tokens,completion_tokens,cached_tokens,errors,estimated_rows,cost_nanos,cost_usd,saved_nanos,saved_usd');
    expect(lines.slice(1, -1).map((line) => line.split(',')[0]).sort()).toEqual(['client_aborted', 'error', 'ok']);
    expect(lines.slice(1, -1).reduce((sum, line) => sum + BigInt(line.split(',')[7]), 0n)).toBe(1_275_003_874n);
    expect(lines.slice(1, -1).reduce((sum, line) => sum + BigInt(line.split(',')[9]), 0n)).toBe(624_000_312n);
    // client_aborted saved 2 000 001 × (4 + 24 + 44) = 144 000 072.
    expect(lines.find((line) => line.startsWith('client_aborted,'))?.split(',').slice(9)).toEqual(['144000072', '0.144000072']);
  });

  it('groups by the routed task, rows without one under (none)', async () => {
    const lines = (await report('--by', 'task', '--data-dir', dataDir)).trimEnd().split('\n');
    // 'chat' is rows 1, 5, …, 49: cost 1 000 003 × (325 + 13) + 13 = 338 001 027; the other 37 rows cost the rest
    // (937 002 847) and saved everything (624 000 312), so they come first.
    expect(lines.slice(4, -2).map(cells)).toEqual([
      ['(none)', '37', '37000', '12070', '832', '2', '6', '0.937003', '0.624000'],
      ['chat', '13', '13325', '4355', '0', '3', '2', '0.338001', '0.000000'],
    ]);
  });

  it('refuses an unknown dimension, both --json and --csv, and a bound it cannot read', async () => {
    await expect(report('--by', 'colour', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    await expect(report('--by', 'model', '--json', '--csv', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.conflictingOption' });
    await expect(report('--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.missingMandatoryOptionValue' });
    await expect(report('--by', 'model', '--since', 'last week', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'invalid_request', param: 'since' });
    await expect(report('--by', 'model', '--since', '2025-03-10', '--until', '2025-03-01', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
