import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { killLeftovers, startServe } from '../testing/serve-child.js';
import { reload } from './reload-command.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const MASTER_KEY = 'mk-reload-test-0123456789';
const config = (dataDir: string, strategy: string) => `
providers:
  sim: { kind: simulated }
models:
  - { name: m1, provider: sim, price: { input: 1, output: 2 } }
routes:
  fast: { strategy: ${strategy}, chain: [m1] }
admin: { master_key: ${MASTER_KEY} }
ledger: { enabled: false, data_dir: "${dataDir}" }
`;
const refusedRoute = "routes.fast.strategy: 'cheapest' is not a strategy; expected one of map, classify, cascade, fallback, loadbalance";

describe('a route refused at start-up and at frugal reload', { timeout: 60_000 }, () => {
  it('is the same error: the path, what was given and what is expected (and the file, at start-up)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-reload-command-'));
    dirs.push(dataDir);
    const file = join(dataDir, 'frugal.yaml');

    const atStart = await startServe(dataDir, config(dataDir, 'cheapest')).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(atStart).toContain(`Invalid config ${file}: ${refusedRoute}`);

    const served = await startServe(dataDir, config(dataDir, 'fallback'));
    try {
      await writeFile(file, config(dataDir, 'cheapest'));
      const refused = await reload({ config: file, url: served.baseUrl }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(FrugalError);
      expect((refused as FrugalError).code).toBe('config_invalid');
      // The route's words and the file, as at start-up.
      expect((refused as FrugalError).message).toContain(`Invalid config ${file}: ${refusedRoute}`);
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
