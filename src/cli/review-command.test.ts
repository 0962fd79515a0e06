import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { openSampleStore } from '../quality/open-sample-store.js';
import { parseReviewScore, registerReviewCommand } from './review-command.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-review-'));
  const ledger = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
  await ledger.migrate();
  const [template] = ledgerWorkload();
  await ledger.insert([1, 2, 3].map((n) => ({ ...template, id: `req-${n}`, ts: 1_000 * n })));
  await ledger.close();
  const samples = openSampleStore({ dataDir });
  await samples.insert(
    [1, 2, 3].map((n) => ({
      requestId: `req-${n}`, requestTs: 1_000 * n, route: n === 3 ? 'other' : 'auto', model: 'gpt-4o-mini', task: null, keyId: null,
      requestJson: JSON.stringify([{ role: 'system', content: 'be brief' }, { role: 'user', content: `question ${n}` }]), answer: `answer ${n}`, createdAt: 1_000 * n, expiresAt: Date.now() + 86_400_000,
    })),
  );
  await samples.close();
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));
beforeEach(() => {
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('FRUGAL_CONFIG', '');
  return () => vi.unstubAllEnvs();
});

async function review(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerReviewCommand(program);
  await program.parseAsync(['review', ...args, '--data-dir', dataDir], { from: 'user' });
  return printed;
}

describe('frugal review', () => {
  it('lists samples awaiting a grade, records a grade as reviewer feedback, and then leaves that one out', async () => {
    const listed = await review('--route', 'auto');
    expect(listed).toContain('req-2');
    expect(listed).toContain('Q: question 2');
    expect(listed).toContain('A: answer 2');
    expect(listed).not.toContain('req-3');
    expect(await review('req-2', '--score', 'up', '--comment', 'spot on')).toMatch(/^recorded default = 1 for req-2/);
    const feedback = openFeedbackStore({ dataDir });
    try {
      expect(await feedback.history({ id: 'req-2', ts: 2_000 })).toEqual([expect.objectContaining({ score: 1, source: 'reviewer', comment: 'spot on', name: 'default' })]);
    } finally {
      await feedback.close();
    }
    const after = JSON.parse(await review('--json')) as Array<{ requestId: string }>;
    expect(after.map((sample) => sample.requestId)).toEqual(['req-3', 'req-1']);
  });

  it('refuses an unknown request, a score out of range, and a grade without a request', async () => {
    await expect(review('req-404', '--score', '0.5')).rejects.toMatchObject({ code: 'not_found' });
    await expect(review('req-1', '--score', '1.5')).rejects.toMatchObject({ code: 'invalid_request', param: 'score' });
    await expect(review('--score', '1')).rejects.toMatchObject({ code: 'invalid_request' });
    expect([parseReviewScore('down'), parseReviewScore('0.25')]).toEqual([0, 0.25]);
  });
});
