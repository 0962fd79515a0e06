import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from './config-command.js';

const SIM = 'providers:\n  sim: { kind: simulated }\nmodels:\n  - { name: m1, provider: sim, price: { input: 1, output: 2 } }\n  - { name: m2, provider: sim, price: { input: 3, output: 4 } }\n';

describe('frugal config check', () => {
  it('refuses a route to an unknown model as serve would, naming the file and the route path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-config-check-'));
    const file = join(dir, 'frugal.yaml');
    await writeFile(file, `${SIM}routes:\n  support:\n    strategy: cascade\n    tiers: [m1, ghost]\n`);
    await expect(checkConfig(file)).rejects.toMatchObject({ code: 'config_invalid', message: expect.stringMatching(new RegExp(`^Invalid config ${file}: routes\\.support\\.tiers\\[1\\]: no model or route named 'ghost'`)) });
  });

  it('summarises a config that would start, and creates nothing beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-config-check-'));
    const file = join(dir, 'frugal.yaml');
    await writeFile(file, `${SIM}routes:\n  support:\n    strategy: cascade\n    tiers: [m1, m2]\nledger: { data_dir: ${join(dir, 'data')} }\n`);
    const text = await checkConfig(file);
    expect(text).toContain(`${file}: ok\n`);
    expect(text).toContain('routes: support');
    expect(await readdir(dir)).toEqual(['frugal.yaml']);
  });
});
