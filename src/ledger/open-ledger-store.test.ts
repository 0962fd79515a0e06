import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerWorkload } from './ledger-store.case.js';
import { openLedgerStore } from './open-ledger-store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-open-'));
  dirs.push(dir);
  return dir;
}

describe('openLedgerStore', () => {
  it('opens SQLite at <dataDir>/ledger.sqlite when no database URL is set (or it is empty)', async () => {
    for (const databaseUrl of [undefined, '']) {
      const dataDir = join(await tempDir(), 'data');
      const store = openLedgerStore({ databaseUrl, dataDir });
      await store.migrate();
      await store.insert(ledgerWorkload().slice(0, 2));
      expect(await store.rows({})).toHaveLength(2);
      await store.close();
      expect(existsSync(join(dataDir, 'ledger.sqlite'))).toBe(true);
    }
  });

  it('opens Postgres for a postgres:// or postgresql:// URL, creating no SQLite file', async () => {
    const dataDir = await tempDir();
    for (const scheme of ['postgres', 'postgresql']) {
      // Port 1 refuses connections: the store must be Postgres, and say so when it cannot reach it.
      const store = openLedgerStore({ databaseUrl: `${scheme}://postgres@127.0.0.1:1/test`, dataDir });
      await expect(store.migrate()).rejects.toMatchObject({ code: 'internal_error', message: expect.stringMatching(/^ledger \(postgres\)/) });
      await store.close();
    }
    expect(existsSync(join(dataDir, 'ledger.sqlite'))).toBe(false);
  });

  it('refuses any other URL without echoing it (it may hold a password)', async () => {
    const dataDir = await tempDir();
    expect(() => openLedgerStore({ databaseUrl: 'mysql://root:hunter2@db/ledger', dataDir })).toThrow(
      expect.objectContaining({ code: 'config_invalid', message: expect.not.stringContaining('hunter2') }),
    );
  });
});
