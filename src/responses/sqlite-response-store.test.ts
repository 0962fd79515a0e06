import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { describeResponseStoreConformance, storedResponse } from './response-store.case.js';
import { createSqliteResponseStore } from './sqlite-response-store.js';

describeResponseStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-responses-'));
  return {
    durable: true,
    open: (name) => createSqliteResponseStore({ path: join(dir, name, 'ledger.sqlite') }),
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});

it('shares the ledger’s file: both migration lists recorded, the ledger still writes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-responses-'));
  try {
    const path = join(dir, 'ledger.sqlite');
    const ledger = createSqliteLedgerStore({ path });
    const responses = createSqliteResponseStore({ path });
    await responses.migrate();
    await ledger.migrate();
    await responses.save(storedResponse(1, null));
    await ledger.close();
    await responses.close();
    const db = new Database(path, { readonly: true });
    const versions = (db.prepare('select version from frugal_migrations order by version').all() as Array<{ version: number }>).map((row) => row.version);
    db.close();
    expect(versions).toContain(1);
    expect(versions).toContain(1001);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
