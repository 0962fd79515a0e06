import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerModelsCommand } from './models-command.js';
import { registerModelsImportCommand } from './models-import-command.js';

const PRICES = `{
  "sample_spec": { "input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers" },
  "gpt-4o": { "input_cost_per_token": 2.75e-06, "output_cost_per_token": 1.1e-05, "cache_read_input_token_cost": 1.375e-06, "max_input_tokens": 128000, "litellm_provider": "openai", "mode": "chat" },
  "gpt-4o-mini": { "input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07, "max_input_tokens": 128000, "litellm_provider": "openai", "mode": "chat" },
  "dashscope/qwen3-32b": { "input_cost_per_token": 2.0833333e-07, "output_cost_per_token": 1.2e-06, "max_input_tokens": 131072, "litellm_provider": "dashscope", "mode": "chat" },
  "mystery-model": { "input_cost_per_token": 1e-07, "output_cost_per_token": 2e-07, "max_input_tokens": 32768, "litellm_provider": "together_ai", "mode": "chat" }
}`;

let dir: string;
let prices: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-models-import-'));
  prices = join(dir, 'prices.json');
  await writeFile(prices, PRICES);
  // The developer's own settings must not leak into the run.
  vi.stubEnv('FRUGAL_CONFIG', undefined);
  vi.stubEnv('FRUGAL_DATA_DIR', join(dir, 'data'));
  vi.stubEnv('OPENAI_API_KEY', 'sk-test');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

/** `frugal models …` wired as main.ts would, returning what it printed. */
async function frugal(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerModelsCommand(program);
  registerModelsImportCommand(program.commands.find((command) => command.name() === 'models')!);
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => ((printed += String(text)), true));
  try {
    await program.parseAsync(['models', ...args], { from: 'user' });
  } finally {
    write.mockRestore();
  }
  return printed;
}

describe('frugal models import', () => {
  it('writes the known models to the override, reports changes and roundings, and the model list uses them', async () => {
    const report = await frugal('import', prices, '--as-of', '2026-01-15');
    expect(report.split('\n')).toEqual([
      `imported 3 models from prices.json into ${join(dir, 'data', 'catalog-override.json')} (as of 2026-01-15)`,
      '',
      'changed:',
      'gpt-4o     input $/1M 2.5 → 2.75; output $/1M 10 → 11; cached $/1M 1.25 → 1.375  (LiteLLM price file prices.json, as of 2026-01-15)',
      'qwen3-32b  input $/1M 0.3 → 0.208333; context 32000 → 131072  (LiteLLM price file prices.json, as of 2026-01-15)',
      '',
      'unchanged: gpt-4o-mini',
      '',
      'rounded half-up to 6 decimals of USD per 1M tokens (the precision prices are kept at):',
      '  qwen3-32b input: 0.20833333 → 0.208333',
      '',
      'left out by the selection: 1 model of the file (default: only models Frugal knows; choose with --models, --only or --all)',
      '',
    ]);
    const written = JSON.parse(await readFile(join(dir, 'data', 'catalog-override.json'), 'utf8'));
    expect(written.models.map((entry: { name: string }) => entry.name)).toEqual(['gpt-4o', 'gpt-4o-mini', 'qwen3-32b']);

    const table = await frugal();
    expect(table.split('\n').find((line) => line.startsWith('gpt-4o '))?.split(/\s+/)).toEqual(['gpt-4o', 'openai', '2.75', '11', '1.375', '1.25/5', '-', '-', '128000']);
  });

  it('merges a later import into the override and diff shows old → new against the built-in catalog', async () => {
    await frugal('import', prices, '--as-of', '2026-01-15', '--only', 'openai');
    const second = await frugal('import', prices, '--as-of', '2026-02-01', '--models', 'mystery-model', '--dry-run');
    expect(second.split('\n').slice(0, 4)).toEqual([
      `would import 1 model from prices.json into ${join(dir, 'data', 'catalog-override.json')} (as of 2026-02-01)`,
      '',
      'changed:',
      'mystery-model  new: input $/1M 0.1; output $/1M 0.2; context 32768  (LiteLLM price file prices.json, as of 2026-02-01)',
    ]);
    await frugal('import', prices, '--as-of', '2026-02-01', '--models', 'mystery-model');
    expect((await frugal('diff')).split('\n')).toEqual([
      `catalog override ${join(dir, 'data', 'catalog-override.json')}: 3 models`,
      '',
      'gpt-4o         input $/1M 2.5 → 2.75; output $/1M 10 → 11; cached $/1M 1.25 → 1.375  (LiteLLM price file prices.json, as of 2026-01-15)',
      'mystery-model  new: input $/1M 0.1; output $/1M 0.2; context 32768  (LiteLLM price file prices.json, as of 2026-02-01)',
      '',
    ]);
  });

  it('says when there is no override, and rejects a file that is not JSON', async () => {
    expect(await frugal('diff')).toBe(`no catalog override at ${join(dir, 'data', 'catalog-override.json')} (frugal models import FILE creates one)\n`);
    await writeFile(prices, '{ not json');
    await expect(frugal('import', prices)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
