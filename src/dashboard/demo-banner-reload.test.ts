import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reload } from '../cli/reload-command.js';
import { killLeftovers, startServe } from '../testing/serve-child.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const MASTER_KEY = 'mk-demo-banner-test-0123456789';
const config = (dataDir: string, providers: string) => `
providers: ${providers}
models:
  - { name: m1, provider: ${providers === '{}' ? 'simulated' : 'sim'}, price: { input: 1, output: 2 } }
admin: { master_key: ${MASTER_KEY} }
ledger: { data_dir: "${dataDir}" }
`;

describe('the dashboard demo banner', { timeout: 60_000 }, () => {
  it('follows a reload that gives the gateway a provider', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-demo-banner-'));
    dirs.push(dataDir);
    const served = await startServe(dataDir, config(dataDir, '{}'));
    const whoami = async () => {
      const reply = await fetch(`${served.baseUrl}/admin/api/whoami`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
      return (await reply.json()) as { demoMode: boolean };
    };
    try {
      expect((await whoami()).demoMode).toBe(true);
      await writeFile(join(dataDir, 'frugal.yaml'), config(dataDir, '{ sim: { kind: simulated } }'));
      await reload({ config: join(dataDir, 'frugal.yaml'), url: served.baseUrl });
      expect((await whoami()).demoMode).toBe(false);
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
