import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { describeFeedbackStoreConformance } from './feedback-store.case.js';
import { openFeedbackStore } from './open-feedback-store.js';

describeFeedbackStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-feedback-'));
  return {
    open: (name, options) => ({
      feedback: openFeedbackStore({ dataDir: join(dir, name), ...options }),
      ledger: createSqliteLedgerStore({ path: join(dir, name, 'ledger.sqlite') }),
    }),
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SQLite feedback store', () => {
  it('keeps scores in the ledger file, with an index on the ledger id so a score never scans the ledger', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-feedback-'));
    try {
      const feedback = openFeedbackStore({ dataDir: dir });
      await feedback.migrate();
      await feedback.close();
      const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      const plan = db.prepare("EXPLAIN QUERY PLAN SELECT ts, key_id FROM frugal_ledger WHERE id = 'x'").all() as Array<{ detail: string }>;
      db.close();
      expect(tables).toEqual(expect.arrayContaining(['frugal_feedback', 'frugal_ledger', 'frugal_migrations']));
      expect(plan.map((step) => step.detail).join(' ')).toContain('frugal_ledger_id');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database URL that is not Postgres without echoing it', () => {
    expect(() => openFeedbackStore({ databaseUrl: 'mysql://root:hunter2@db/x', dataDir: '.' })).toThrow(
      expect.objectContaining({ code: 'config_invalid', message: expect.not.stringContaining('hunter2') }),
    );
  });
});
