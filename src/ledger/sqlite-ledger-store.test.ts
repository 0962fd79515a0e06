import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { describeLedgerStoreConformance } from './ledger-store.case.js';
import { expectedMigrationRecords, expectUpgradedFrom, legacyLedger } from './ledger-upgrade.case.js';
import { MIGRATIONS } from './migrations.js';
import { sqliteDialect } from './sql-dialect.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';

describeLedgerStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-ledger-'));
  return {
    // A nested path, so every test also proves missing parent directories are created.
    open: (name) => createSqliteLedgerStore({ path: join(dir, name, 'nested', 'ledger.sqlite') }),
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('createSqliteLedgerStore', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('uses WAL mode and records each applied migration once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-ledger-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.sqlite');
    const store = createSqliteLedgerStore({ path, now: () => 1_700_000_000_000 });
    await store.migrate();
    await store.migrate();
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('select version, name, applied_at from frugal_migrations order by version').all()).toEqual(
      MIGRATIONS.map((migration) => ({ version: migration.version, name: migration.name, applied_at: 1_700_000_000_000 })),
    );
    db.close();
  });

  it.each([1, 3] as const)('upgrades a version-%i ledger holding rows, keeping what that version stored and reading 0 for the rest', async (version) => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-ledger-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.sqlite');
    const { rows, statements } = legacyLedger(sqliteDialect, 'integer', version);
    const old = new Database(path);
    old.transaction(() => {
      for (const { sql, params } of statements) old.prepare(sql).run(params);
    })();
    old.close();
    const store = createSqliteLedgerStore({ path, now: () => 1_700_000_000_000 });
    try {
      await store.migrate();
      await expectUpgradedFrom(store, rows, version);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    // The old versions kept their records; every later one was applied by this migrate().
    expect(db.prepare('select version, applied_at from frugal_migrations order by version').all()).toEqual(expectedMigrationRecords(version, 1_700_000_000_000));
    db.close();
  });

  it('migrates safely when two processes start on the same new file at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-ledger-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.sqlite');
    const script = `
      import { createSqliteLedgerStore } from ${JSON.stringify(new URL('./sqlite-ledger-store.ts', import.meta.url).href)};
      const store = createSqliteLedgerStore({ path: ${JSON.stringify(path)} });
      await store.migrate();
      await store.close();
      console.log('migrated');`;
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const results = await Promise.all([run(), run(), run(), run(), run()]);
    expect(results.map((result) => result.stdout.trim())).toEqual(Array(5).fill('migrated'));
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('select count(*) as n from frugal_migrations').get()).toEqual({ n: MIGRATIONS.length });
    db.close();
  });
});
