import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS } from '../ledger/migrations.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { migrateLedger } from './ledger-command.js';
import { buildProgram } from './main.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-ledger-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  // The developer's own ledger settings must not leak into the run.
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('FRUGAL_CONFIG', '');
  vi.stubEnv('FRUGAL_DATA_DIR', join(dir, 'not-this-one'));
  return () => vi.unstubAllEnvs();
});

/** Runs `frugal ledger …` through the CLI's own program (so the command is registered where main finds it). */
async function frugal(...args: string[]): Promise<string> {
  let out = '';
  const program = await buildProgram('ledger');
  program.exitOverride();
  for (const command of [program, ...program.commands, ...program.commands.flatMap((command) => command.commands)]) {
    command.configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (out += text) });
  }
  await program.parseAsync(['node', 'frugal', ...args]);
  return out;
}

const ALL_VERSIONS = MIGRATIONS.map((migration) => migration.version).sort((a, b) => a - b);

function sqliteState(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const versions = (db.prepare('select version from frugal_migrations order by version').all() as { version: number }[]).map((row) => row.version);
    const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((row) => row.name);
    return { versions, tables };
  } finally {
    db.close();
  }
}

describe('frugal ledger migrate (SQLite)', () => {
  it('creates the ledger, keys and stored-response tables at every migration, and says where', async () => {
    const dataDir = join(dir, 'fresh');
    const out = await frugal('ledger', 'migrate', '--data-dir', dataDir);
    const file = join(dataDir, 'ledger.sqlite');
    expect(out).toBe(`Ledger migrated to version ${ALL_VERSIONS.at(-1)}: sqlite ${file} (from --data-dir)\n`);
    const { versions, tables } = sqliteState(file);
    expect(versions).toEqual(expect.arrayContaining(ALL_VERSIONS));
    expect(tables).toEqual(expect.arrayContaining(['frugal_ledger', 'frugal_keys', 'frugal_responses']));
  });

  it('finds the ledger through the config the gateway runs with, and a second run changes nothing', async () => {
    const dataDir = join(dir, 'from-config');
    const config = join(dir, 'frugal.yaml');
    await writeFile(config, `ledger:\n  data_dir: ${dataDir}\n`);
    const first = JSON.parse(await frugal('ledger', 'migrate', '--config', config, '--json')) as Record<string, unknown>;
    expect(first).toEqual({ where: `sqlite ${join(dataDir, 'ledger.sqlite')}`, from: `from ledger.data_dir in ${config}`, ledgerVersion: ALL_VERSIONS.at(-1) });
    const before = sqliteState(join(dataDir, 'ledger.sqlite'));
    await frugal('ledger', 'migrate', '--config', config);
    expect(sqliteState(join(dataDir, 'ledger.sqlite'))).toEqual(before);
  });
});

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'ledger migrate on PostgreSQL');

describe.skipIf(!reachable)('frugal ledger migrate (PostgreSQL)', () => {
  const schemas = testSchemas('ledger_cli');
  afterAll(() => schemas.dropAll());

  it('migrates every store in the database, never naming its credentials, and two at once agree', async () => {
    const schema = schemas.schemaOf('migrate');
    const withPassword = TEST_DATABASE_URL.replace('postgres://postgres@', 'postgres://postgres:not-shown@');
    const location = { kind: 'postgres' as const, databaseUrl: TEST_DATABASE_URL, from: 'from --database-url' };
    // Two replicas' jobs starting together: the migration lock makes the second wait and find nothing to do.
    const [migrated] = await Promise.all([migrateLedger(location, { schema }), migrateLedger(location, { schema })]);
    expect(migrated.where).toBe(`postgres ${new URL(TEST_DATABASE_URL).host}${new URL(TEST_DATABASE_URL).pathname}`);
    const shown = await migrateLedger({ ...location, databaseUrl: withPassword }, { schema }).catch((error: unknown) => ({ where: String(error) }));
    expect(shown.where).not.toContain('not-shown');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const versions = await client.query<{ version: number }>(`select version from "${schema}".frugal_migrations order by version`);
      expect(versions.rows.map((row) => Number(row.version))).toEqual(expect.arrayContaining(ALL_VERSIONS));
      const tables = await client.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1', [schema]);
      expect(tables.rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['frugal_ledger', 'frugal_keys', 'frugal_responses']));
    } finally {
      await client.end();
    }
  });
});
