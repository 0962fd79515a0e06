import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { describeKeyStoreConformance } from './key-store.case.js';
import { openKeyStore } from './open-key-store.js';
import { createSqlKeyStore } from './sql-key-store.js';
import { createSqliteSqlClient } from './sqlite-sql-client.js';

describeKeyStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-keys-'));
  const pathOf = (name: string) => join(dir, name, 'ledger.sqlite');
  return {
    open: (name, options) => createSqlKeyStore(createSqliteSqlClient({ path: pathOf(name) }), options),
    async rawRows(name) {
      const db = new Database(pathOf(name), { readonly: true });
      try {
        return db.prepare('SELECT * FROM frugal_keys').all() as Array<Record<string, unknown>>;
      } finally {
        db.close();
      }
    },
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SQLite key store', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps keys in the ledger file, and no byte of the database files holds a plaintext or secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-keys-'));
    dirs.push(dir);
    const store = openKeyStore({ dataDir: dir });
    await store.migrate();
    const issued = [await store.create({ name: 'a' }), await store.create({ name: 'b', defaultTags: { team: 'x' } })];
    issued.push(await store.rotate(issued[0].key.id));
    await store.revoke(issued[1].key.id);
    // The ledger on the same file migrates as a no-op and sees the keys table beside its own.
    const ledger = createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
    await ledger.migrate();
    await ledger.close();
    await store.close();

    const files = (await readdir(dir)).filter((file) => file.startsWith('ledger.sqlite'));
    expect(files).toContain('ledger.sqlite');
    const bytes = Buffer.concat(await Promise.all(files.map((file) => readFile(join(dir, file)))));
    expect(bytes.includes(Buffer.from(issued[2].key.id))).toBe(true);
    for (const { plaintext } of issued) {
      const secret = plaintext.slice(-43);
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'base64url'))).toBe(false);
    }
    const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    db.close();
    expect(tables).toEqual(['frugal_feedback', 'frugal_keys', 'frugal_ledger', 'frugal_ledger_hourly', 'frugal_migrations', 'frugal_samples']);
  });

  it('refuses a database URL that is not Postgres without echoing it', () => {
    expect(() => openKeyStore({ databaseUrl: 'mysql://root:hunter2@db/x', dataDir: '.' })).toThrow(
      expect.objectContaining({ code: 'config_invalid', message: expect.not.stringContaining('hunter2') }),
    );
  });
});
