import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { SAVINGS_RULE } from '../ledger/report-format.js';
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
  vi.stubEnv('FRUGAL_CONFIG', '');
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
    // Baseline = cost + saved = 1 479 003 202; the cache saved 2 000 000 × 252 and prompt caching 252; on rows
    // 26, 30, …, 46 (Σ i = 216) compression saved and routing lost 500 000 × 216 = 108 000 000.
    expect(json.total).toMatchObject({
      baselineNanos: '1479003202', baselineUsd: '1.479003202', savedRoutingNanos: '-108000000', savedRoutingUsd: '-0.108000000',
      savedCacheNanos: '504000000', savedCacheUsd: '0.504000000', savedCompressionNanos: '108000000', savedCompressionUsd: '0.108000000',
      savedPromptCacheNanos: '252', savedPromptCacheUsd: '0.000000252',
    });
    expect(json.rows.map((row: { group: string }) => row.group)).toEqual(['2025-03-10', '2025-03-17']);
  });

  it('prints CSV, one line per group, and reads the data dir from FRUGAL_DATA_DIR', async () => {
    vi.stubEnv('FRUGAL_DATA_DIR', dataDir);
    const lines = (await report('--by', 'status', '--csv')).split('\r\n');
    expect(lines[0]).toBe(
      'status,requests,prompt_tokens,completion_tokens,cached_tokens,errors,estimated_rows,cost_nanos,cost_usd,saved_nanos,saved_usd,' +
        'baseline_nanos,baseline_usd,saved_routing_nanos,saved_routing_usd,saved_cache_nanos,saved_cache_usd,' +
        'saved_compression_nanos,saved_compression_usd,saved_prompt_cache_nanos,saved_prompt_cache_usd,saved_batch_nanos,saved_batch_usd,saved_batching_nanos,saved_batching_usd,caller_choice_nanos,caller_choice_usd',
    );
    expect(lines.slice(1, -1).map((line) => line.split(',')[0]).sort()).toEqual(['client_aborted', 'error', 'ok']);
    expect(lines.slice(1, -1).reduce((sum, line) => sum + BigInt(line.split(',')[7]), 0n)).toBe(1_275_003_874n);
    expect(lines.slice(1, -1).reduce((sum, line) => sum + BigInt(line.split(',')[9]), 0n)).toBe(624_000_312n);
    // Baseline, routing, cache, compression, prompt cache over the whole ledger.
    const sum = (column: number) => lines.slice(1, -1).reduce((total, line) => total + BigInt(line.split(',')[column]), 0n);
    expect([11, 13, 15, 17, 19].map(sum)).toEqual([1_899_004_186n, -144_000_000n, 624_000_000n, 144_000_000n, 312n]);
    // client_aborted saved 2 000 001 × (4 + 24 + 44) = 144 000 072 (cache 144 000 000, prompt cache 72) on a cost of
    // 125 000 381, so a baseline of 269 000 453; rows 14 and 34 moved 500 000 × 48 from routing to compression.
    expect(lines.find((line) => line.startsWith('client_aborted,'))?.split(',').slice(9)).toEqual([
      '144000072', '0.144000072', '269000453', '0.269000453', '-24000000', '-0.024000000', '144000000', '0.144000000', '24000000', '0.024000000', '72', '0.000000072', '0', '0.000000000', '0', '0.000000000', '0', '0.000000000',
    ]);
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

  it('prints the savings table with --savings: baseline, spend, saved and each mechanism per model, and a TOTAL', async () => {
    const lines = (await report('--by', 'model', '--savings', '--data-dir', dataDir)).trimEnd().split('\n');
    expect(lines[0]).toBe('savings by model, from the first row to now');
    expect(cells(lines[2])).toEqual(['model', 'requests', 'baseline_usd', 'spend_usd', 'saved_usd', 'routing_usd', 'cache_usd', 'compression_usd', 'prompt_cache_usd', 'batch_usd', 'batching_usd', 'saved_pct', 'caller_choice_usd']);
    // The rule is printed under the table, so nobody reads caller_choice_usd as a saving.
    expect(lines.at(-1)).toBe(SAVINGS_RULE);
    // By model (i mod 4): gpt-4o (1, 5, …, 49) costs 338 001 027 and saved nothing; gpt-4o-mini (0, 4, …, 48, Σ i = 312)
    // costs 1 000 003 × 325 + 12 = 325 000 987 and saved 624 000 312 (cache 624 000 000, prompt cache 312) of a baseline
    // of 949 001 299, 65.753 %; no model (3, 7, …, 47) costs 312 000 948 and its batch lane's 700 × 300 went back to batching; claude-haiku (2, 6, …, 46, Σ i = 288) costs
    // 300 000 912 and saved nothing net: routing −144 000 000, compression +144 000 000.
    // gpt-4o's rows carry the workload's caller choice: 300 007 × Σ i (1, 5, …, 49 = 325) = 97 502 275.
    expect(lines.slice(4, -4).map(cells)).toEqual([
      ['gpt-4o', '13', '0.338001', '0.338001', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.0', '0.097502'],
      ['gpt-4o-mini', '13', '0.949001', '0.325001', '0.624000', '0.000000', '0.624000', '0.000000', '0.000000', '0.000000', '0.000000', '65.8', '0.000000'],
      ['(none)', '12', '0.312001', '0.312001', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.000210', '-0.000210', '0.0', '0.000000'],
      ['claude-haiku', '12', '0.300001', '0.300001', '0.000000', '-0.144000', '0.000000', '0.144000', '0.000000', '0.000000', '0.000000', '0.0', '0.000000'],
    ]);
    // 624 000 312 saved of a 1 899 004 186 baseline: 32.859 %.
    expect(cells(lines.at(-3))).toEqual(['TOTAL', '50', '1.899004', '1.275004', '0.624000', '-0.144000', '0.624000', '0.144000', '0.000000', '0.000210', '-0.000210', '32.9', '0.097502']);
  });

  it('refuses an unknown dimension, --savings or --json with --csv, --savings with --json, and a bound it cannot read', async () => {
    await expect(report('--by', 'model', '--savings', '--json', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.conflictingOption' });
    await expect(report('--by', 'model', '--csv', '--savings', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.conflictingOption' });
    await expect(report('--by', 'colour', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    await expect(report('--by', 'model', '--json', '--csv', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.conflictingOption' });
    await expect(report('--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.missingMandatoryOptionValue' });
    await expect(report('--by', 'model', '--since', 'last week', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'invalid_request', param: 'since' });
    await expect(report('--by', 'model', '--since', '2025-03-10', '--until', '2025-03-01', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
