import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { openKeyStore } from '../keys/open-key-store.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { registerKeysCommand } from './keys-command.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-keys-cli-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  // The developer's own ledger settings must not leak into the run.
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('FRUGAL_CONFIG', '');
  vi.stubEnv('FRUGAL_DATA_DIR', join(dataDir, 'not-this-one'));
  return () => vi.unstubAllEnvs();
});

/** Runs `frugal keys …` as the CLI would; returns what it printed to stdout and stderr. */
async function keys(...args: string[]): Promise<{ out: string; err: string }> {
  const printed = { out: '', err: '' };
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: (text) => (printed.out += text), writeErr: (text) => (printed.err += text) });
  registerKeysCommand(program);
  await program.parseAsync(['keys', ...args], { from: 'user' });
  return printed;
}

const PLAINTEXT = /fk-vk_[a-z2-7]{12}-[A-Za-z0-9_-]{43}/;

async function authenticate(plaintext: string) {
  const store = openKeyStore({ dataDir });
  try {
    return await store.authenticate(plaintext);
  } finally {
    await store.close();
  }
}

describe('frugal keys', () => {
  it('creates a key with every flag, prints its plaintext once with a warning, and the key authenticates', async () => {
    const { out } = await keys(
      'create', '--name', 'growth bot', '--team', 'growth', '--models', 'gpt-4o-mini, auto', '--budget-usd', '50', '--period', 'week', '--soft',
      '--rpm', '60', '--tpm', '100000', '--expires-in-days', '30', '--tag', 'feature=summarize', '--tag', 'owner=a=b', '--data-dir', dataDir,
    );
    const plaintext = PLAINTEXT.exec(out)?.[0] ?? '';
    expect(out).toMatch(/^Created virtual key vk_[a-z2-7]{12} "growth bot" \(team growth\)\n\n {2}fk-/);
    expect(out).toContain('only time the key is shown');
    const key = await authenticate(plaintext);
    expect(key).toMatchObject({
      name: 'growth bot',
      team: 'growth',
      allowedModels: ['gpt-4o-mini', 'auto'],
      budget: { limitUsd: '50', period: 'week', hard: false },
      rateLimits: { rpm: 60, tpm: 100_000 },
      defaultTags: { feature: 'summarize', owner: 'a=b' },
    });
    expect(key!.expiresAt! - key!.createdAt).toBe(30 * 86_400_000);

    // The list shows it, with no secret.
    const listed = (await keys('list', '--data-dir', dataDir)).out;
    const line = listed.split('\n').find((row) => row.startsWith(key!.id)) ?? '';
    expect(line.split(/\s{2,}/)).toEqual([key!.id, 'growth bot', 'growth', 'active', 'gpt-4o-mini,auto', '$50/week soft', '60', '100000', expect.any(String), expect.any(String)]);
    expect(listed).not.toContain(plaintext.slice(-43));
  });

  it('prints JSON with --json (the warning goes to stderr) and reads the data dir from FRUGAL_DATA_DIR', async () => {
    vi.stubEnv('FRUGAL_DATA_DIR', dataDir);
    const { out, err } = await keys('create', '--name', 'json', '--json');
    const created = JSON.parse(out);
    expect(created).toMatchObject({ object: 'virtual_key', name: 'json', status: 'active', budget_usd: null, key: expect.stringMatching(PLAINTEXT) });
    expect(err).toContain('only time the key is shown');
    expect(await authenticate(created.key)).toMatchObject({ id: created.id });
    const list = JSON.parse((await keys('list', '--json')).out);
    expect(list.data.map((key: { id: string }) => key.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.key.slice(-43));
  });

  it('rotates a key (new plaintext, old one refused) and revokes it (hidden from list unless --all)', async () => {
    const created = JSON.parse((await keys('create', '--name', 'svc', '--json', '--data-dir', dataDir)).out);
    const rotated = (await keys('rotate', created.id, '--data-dir', dataDir)).out;
    const newPlaintext = PLAINTEXT.exec(rotated)?.[0] ?? '';
    expect(rotated).toContain(`Rotated virtual key ${created.id}`);
    expect(rotated).toContain('previous plaintext no longer works');
    expect(newPlaintext).not.toBe(created.key);
    expect(await authenticate(created.key)).toBeUndefined();
    expect(await authenticate(newPlaintext)).toMatchObject({ id: created.id });

    const revoked = (await keys('revoke', created.id, '--data-dir', dataDir)).out;
    expect(revoked).toMatch(new RegExp(`^Revoked virtual key ${created.id} "svc" at \\d{4}-`));
    expect(await authenticate(newPlaintext)).toBeUndefined();
    expect((await keys('list', '--data-dir', dataDir)).out).not.toContain(created.id);
    expect((await keys('list', '--all', '--data-dir', dataDir)).out).toMatch(new RegExp(`${created.id}\\s+svc\\s+-\\s+revoked`));
  });

  it('names the flag at fault, and never echoes a plaintext given in place of an id', async () => {
    const bad: Array<[string[], string]> = [
      [['--rpm', 'sixty'], '--rpm'],
      [['--tpm', '0'], '--tpm'],
      [['--budget-usd', '1.0000000001'], '--budget-usd'],
      [['--period', 'day'], '--period'],
      [['--soft'], '--soft'],
      [['--expires-in-days', '-3'], '--expires-in-days'],
      [['--tag', 'novalue'], '--tag'],
      [['--models', 'a,,b'], '--models'],
    ];
    for (const [flags, flag] of bad) {
      const error = await keys('create', '--name', 'x', ...flags, '--data-dir', dataDir).catch((caught: unknown) => caught);
      expect(error, flags.join(' ')).toMatchObject({ code: 'invalid_request', message: expect.stringContaining(flag) });
    }
    await expect(keys('create', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.missingMandatoryOptionValue' });
    await expect(keys('create', '--name', 'x', '--period', 'year', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'commander.invalidArgument' });

    const created = JSON.parse((await keys('create', '--name', 'oops', '--json', '--data-dir', dataDir)).out);
    const error = (await keys('revoke', created.key, '--data-dir', dataDir).catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ code: 'not_found' });
    expect(error.message).not.toContain(created.key.slice(-43));
    await expect(keys('rotate', 'vk_aaaaaaaaaaaa', '--data-dir', dataDir)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('vk_aaaaaaaaaaaa') });
  });

  it('keeps keys in the ledger file, and no database file holds a plaintext', async () => {
    const { out } = await keys('create', '--name', 'scan', '--data-dir', dataDir);
    const plaintext = PLAINTEXT.exec(out)?.[0] ?? '';
    const files = (await readdir(dataDir)).filter((file) => file.startsWith('ledger.sqlite'));
    expect(files).toContain('ledger.sqlite');
    const bytes = Buffer.concat(await Promise.all(files.map((file) => readFile(join(dataDir, file)))));
    expect(bytes.includes(Buffer.from(plaintext.slice(3, 18)))).toBe(true);
    expect(bytes.includes(Buffer.from(plaintext.slice(-43)))).toBe(false);
  });

  it('says the gateway is open when its ledger holds no keys', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'frugal-keys-cli-empty-'));
    try {
      const ledger = createSqliteLedgerStore({ path: join(empty, 'ledger.sqlite') });
      await ledger.migrate();
      await ledger.close();
      expect((await keys('list', '--data-dir', empty)).out).toBe('No virtual keys: the gateway is open to anyone who can reach it.\n');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('refuses to list, revoke or rotate where there is no ledger, names where it looked, and creates nothing', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'frugal-keys-cli-none-'));
    try {
      for (const args of [['list'], ['revoke', 'vk_aaaaaaaaaaaa'], ['rotate', 'vk_aaaaaaaaaaaa']]) {
        const refused = await keys(...args, '--data-dir', join(elsewhere, 'data')).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(FrugalError);
        expect((refused as FrugalError).code).toBe('not_found');
        expect((refused as FrugalError).message).toContain(join(elsewhere, 'data', 'ledger.sqlite'));
        expect((refused as FrugalError).message).toContain('--data-dir');
      }
      expect(await readdir(elsewhere)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
