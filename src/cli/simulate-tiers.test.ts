import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { registerSimulateCommand } from './simulate-command.js';

let dir: string;

async function simulate(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerSimulateCommand(program);
  await program.parseAsync(['simulate', ...args], { from: 'user' });
  return printed;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-simulate-tiers-'));
  vi.stubEnv('FRUGAL_CONFIG', undefined);
  vi.stubEnv('FRUGAL_DATA_DIR', join(dir, 'data'));
  vi.stubEnv('DATABASE_URL', '');
  const template = ledgerWorkload()[1];
  const row = (id: string, tags: Record<string, string>, status: LedgerRow['status']): LedgerRow => ({
    ...template,
    id,
    ts: Date.parse('2026-12-01T12:00:00Z') + Number(id.slice(1)) * 3_600_000,
    tags,
    requestedModel: 'gpt-4o-mini',
    servedModel: 'gpt-4o-mini',
    provider: 'openai',
    promptTokens: 1000,
    completionTokens: 500,
    cachedTokens: 0,
    cacheCreationTokens: 0,
    // gpt-4o-mini real time: 1000 × $0.15/M + 500 × $0.60/M = $0.00045.
    costNanos: 450_000,
    cacheStatus: 'miss',
    status,
  });
  const store = createSqliteLedgerStore({ path: join(dir, 'data', 'ledger.sqlite') });
  await store.migrate();
  await store.insert([row('r1', { job: 'nightly' }, 'ok'), row('r2', { job: 'nightly' }, 'ok'), row('r3', { job: 'interactive' }, 'ok'), row('r4', { job: 'nightly' }, 'error')]);
  await store.close();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('frugal simulate --ledger --background-tag', () => {
  it('prices the tagged rows at the batch price of their model, exactly', async () => {
    const json = JSON.parse(await simulate('--ledger', '--background-tag', 'job=nightly', '--json'));
    // Two answered nightly rows at $0.00045; at gpt-4o-mini's batch price (−50 %) $0.000225 each.
    expect(json.backgroundTiers).toMatchObject({
      tag: 'job=nightly',
      rows: 2,
      recorded: { nanos: '900000' },
      options: [{ tier: 'batch', rows: 2, recorded: { nanos: '900000' }, projected: { nanos: '450000' }, saved: { nanos: '450000', usd: '0.00045' } }],
      cheapestSaved: { nanos: '450000' },
      skipped: { notOk: 1, cacheHits: 0, unknownModel: 0 },
    });
    const text = await simulate('--ledger', '--background-tag', 'job=nightly');
    expect(text).toContain('background traffic tagged job=nightly: 2 answered calls');
    expect(text).toContain('| batch API | 2 | $0.0009 | $0.0005 | $0.0005 | 50.0% |');
  });

  it('is a ledger option only', async () => {
    await expect(simulate('--log', join(dir, 'none.jsonl'), '--background-tag', 'job=nightly')).rejects.toMatchObject({ param: 'background-tag' });
  });
});
