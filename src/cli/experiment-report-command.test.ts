import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { registerReportCommand } from './report-command.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-experiment-report-'));
  const store = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await store.migrate();
  const [template] = ledgerWorkload();
  // Arm a: 40 requests at 10 000 nano-dollars, judged 0.9 on 30 of them; arm b: 40 at 3 800, judged 0.8 on 30.
  const rows: LedgerRow[] = [];
  for (let index = 0; index < 80; index += 1) {
    const arm = index % 2 === 0 ? 'a' : 'b';
    rows.push({ ...template, id: `r${index}`, ts: 1_000 + index, status: 'ok', experiment: 'cheap', arm, overhead: null, costNanos: arm === 'a' ? 10_000 : 3_800, latencyMs: 100 + index });
  }
  await store.insert(rows);
  await store.close();
  const feedback = openFeedbackStore({ dataDir });
  for (const row of rows.slice(0, 60)) {
    await feedback.add({ requestId: row.id, requestTs: row.ts, name: 'judge', score: row.arm === 'a' ? 0.9 : 0.8, comment: null, source: 'judge', scoredBy: null, metadata: null });
  }
  await feedback.close();
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
  await program.parseAsync(['report', ...args], { from: 'user' });
  return printed;
}

describe('frugal report --experiment', () => {
  it('prints each arm with its cost per request, judge quality and a verdict', async () => {
    const text = await report('--experiment', 'cheap', '--data-dir', dataDir);
    const lines = text.split('\n');
    expect(lines[0]).toBe('experiment cheap');
    expect(lines[3].trim().split(/\s+/).slice(0, 5)).toEqual(['a', '40', '0.000010', '30', '0.900']);
    expect(lines[4].trim().split(/\s+/).slice(0, 5)).toEqual(['b', '40', '0.000004', '30', '0.800']);
    // No spread on either side: the 0.10 drop is exact, hence significant.
    expect(text).toContain('Arm b is 62 % cheaper than a; quality difference −0.10 ± 0.00, significantly worse after 60 scored requests.');
  });

  it('gives exact JSON', async () => {
    const json = JSON.parse(await report('--experiment', 'cheap', '--json', '--data-dir', dataDir)) as { control: string; arms: Array<{ arm: string; costNanos: string; latencyMs: { p50: number } }> };
    expect(json.control).toBe('a');
    expect(json.arms.map((arm) => [arm.arm, arm.costNanos])).toEqual([
      ['a', '400000'],
      ['b', '152000'],
    ]);
    expect(json.arms[0].latencyMs.p50).toBe(138);
  });

  it('still needs --by without --experiment, and refuses both together', async () => {
    await expect(report('--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.missingMandatoryOptionValue' });
    await expect(report('--experiment', 'cheap', '--by', 'model', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.conflictingOption' });
  });
});
