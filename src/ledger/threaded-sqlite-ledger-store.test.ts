import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLedgerWriter } from './ledger-writer.js';
import { describeLedgerStoreConformance, ledgerWorkload } from './ledger-store.case.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';
import { createThreadedSqliteLedgerStore } from './threaded-sqlite-ledger-store.js';

describeLedgerStoreConformance('sqlite, writes on a worker thread', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-threaded-ledger-'));
  return {
    open: (name) => createThreadedSqliteLedgerStore({ path: join(dir, name, 'ledger.sqlite') }),
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('createThreadedSqliteLedgerStore', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('commits what the writer hands it, in order, readable from another connection once insert resolves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-threaded-ledger-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.sqlite');
    const store = createThreadedSqliteLedgerStore({ path });
    await store.migrate();
    const workload = ledgerWorkload();
    const writer = createLedgerWriter(store, { maxBatch: 7, onError: (error) => expect.fail(String(error)) });
    for (const row of workload) writer.record(row);
    await writer.close();
    await store.close();
    const reader = createSqliteLedgerStore({ path });
    const rows = await reader.rows({});
    await reader.close();
    expect(rows.map((stored) => stored.id)).toEqual([...workload].sort((a, b) => a.ts - b.ts).map((written) => written.id));
  });

  it('refuses inserts once closed, and closes twice without error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-threaded-ledger-'));
    dirs.push(dir);
    const store = createThreadedSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
    await store.migrate();
    const [first, second] = ledgerWorkload();
    await store.insert([first]);
    await store.close();
    await store.close();
    await expect(store.insert([second])).rejects.toThrow(/closed/);
  });
});
