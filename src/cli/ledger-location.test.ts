import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf } from './ledger-location.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-ledger-location-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, yaml: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, yaml);
  return path;
}

function refusal(run: () => unknown): FrugalError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrugalError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('resolveLedgerLocation', () => {
  it('puts flags before a config and a config before the environment', async () => {
    const env = { DATABASE_URL: 'postgres://env/db', FRUGAL_DATA_DIR: '/env-dir' };
    const file = await config('pointing.yaml', 'ledger:\n  data_dir: /from-config\n');
    expect(await resolveLedgerLocation({ dataDir: '/flag', config: file }, env)).toMatchObject({ kind: 'sqlite', dataDir: '/flag', from: 'from --data-dir' });
    expect(await resolveLedgerLocation({ databaseUrl: 'postgres://flag/db', dataDir: '/flag' }, env)).toMatchObject({ kind: 'postgres', databaseUrl: 'postgres://flag/db' });
    // As `frugal serve` does: the config's data_dir, but $DATABASE_URL still wins over SQLite when the config names none.
    expect(await resolveLedgerLocation({ config: file }, env)).toMatchObject({ kind: 'postgres', databaseUrl: 'postgres://env/db' });
    expect(await resolveLedgerLocation({ config: file }, { FRUGAL_DATA_DIR: '/env-dir' })).toMatchObject({ kind: 'sqlite', dataDir: '/from-config', file: '/from-config/ledger.sqlite' });
    expect(await resolveLedgerLocation({}, env)).toMatchObject({ kind: 'postgres', from: 'from $DATABASE_URL' });
    expect(await resolveLedgerLocation({}, { FRUGAL_DATA_DIR: '/env-dir' })).toMatchObject({ kind: 'sqlite', dataDir: '/env-dir' });
    expect(await resolveLedgerLocation({}, {})).toMatchObject({ kind: 'sqlite', dataDir: './.frugal', file: resolve('.frugal/ledger.sqlite') });
  });

  it('reads only the config’s ledger section, with ${VAR} interpolation, from --config or $FRUGAL_CONFIG', async () => {
    // The provider's key is unset here: a read command must not need it.
    const file = await config('interpolated.yaml', 'providers:\n  openai:\n    api_key: ${OPENAI_API_KEY}\nledger:\n  data_dir: ${LEDGER_HOME}/ledger\n');
    const location = await resolveLedgerLocation({}, { FRUGAL_CONFIG: file, LEDGER_HOME: '/srv/frugal' });
    expect(location).toMatchObject({ kind: 'sqlite', dataDir: '/srv/frugal/ledger' });
    expect(location.from).toBe(`from ledger.data_dir in $FRUGAL_CONFIG (${file})`);
    expect(storeOptionsOf(location)).toEqual({ databaseUrl: undefined, dataDir: '/srv/frugal/ledger' });
    const unset = await resolveLedgerLocation({ config: file }, {}).catch((error: unknown) => error);
    expect(unset).toMatchObject({ code: 'config_invalid', message: `${file}: ledger.data_dir: environment variable LEDGER_HOME is not set` });
  });

  it('says so when the config turns the ledger off, is missing or is not YAML', async () => {
    const off = await config('off.yaml', 'ledger:\n  enabled: false\n');
    await expect(resolveLedgerLocation({ config: off }, {})).rejects.toMatchObject({ code: 'config_invalid', message: expect.stringContaining(`the ledger is disabled in ${off}`) });
    await expect(resolveLedgerLocation({ config: join(dir, 'absent.yaml') }, {})).rejects.toMatchObject({ code: 'config_invalid', message: `Invalid config: ${join(dir, 'absent.yaml')}: no such file` });
    const broken = await config('broken.yaml', 'ledger: [\n');
    await expect(resolveLedgerLocation({ config: broken }, {})).rejects.toMatchObject({ code: 'config_invalid', message: expect.stringMatching(new RegExp(`^${broken} is not valid YAML: [^\\n]+$`)) });
  });
});

describe('a config a ledger command cannot read', () => {
  it('is refused in the words frugal serve uses: no such file, and where a relative path was looked for', async () => {
    const relative = join('no-such-dir-for-frugal', 'missing.yaml');
    await expect(resolveLedgerLocation({ config: relative }, {})).rejects.toMatchObject({ code: 'config_invalid', message: `Invalid config: ${relative}: no such file (relative to ${process.cwd()})` });
    await expect(resolveLedgerLocation({}, { FRUGAL_CONFIG: relative })).rejects.toMatchObject({ message: expect.not.stringContaining('ENOENT') });
    await expect(resolveLedgerLocation({ config: dir }, {})).rejects.toMatchObject({ code: 'config_invalid', message: `Invalid config: ${dir} is a directory: expected a YAML file` });
  });
});

describe('requireExistingLedger', () => {
  it('refuses a missing SQLite ledger, naming the file, why it looked there and how to point elsewhere, creating nothing', async () => {
    const empty = await mkdtemp(join(dir, 'empty-'));
    const error = refusal(() => requireExistingLedger({ kind: 'sqlite', dataDir: join(empty, 'data'), file: join(empty, 'data', 'ledger.sqlite'), from: 'from --data-dir' }));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(`no ledger at ${join(empty, 'data', 'ledger.sqlite')} (from --data-dir)`);
    for (const way of ['--data-dir', '--config', 'DATABASE_URL']) expect(error.message).toContain(way);
    expect(error.message).not.toContain('\n');
    expect(await readdir(empty)).toEqual([]);
  });

  it('lets an existing SQLite file and a PostgreSQL URL through', async () => {
    const file = await config('ledger.sqlite', '');
    expect(() => requireExistingLedger({ kind: 'sqlite', dataDir: dir, file, from: 'from --data-dir' })).not.toThrow();
    expect(() => requireExistingLedger({ kind: 'postgres', databaseUrl: 'postgres://x/y', from: 'from $DATABASE_URL' })).not.toThrow();
  });
});
