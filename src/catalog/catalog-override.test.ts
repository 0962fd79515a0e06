import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { BUILTIN_CATALOG } from './builtin-catalog.js';
import { applyCatalogOverride, type CatalogOverrideEntry, diffCatalogOverride, formatCatalogChanges } from './catalog-override.js';
import { readCatalogOverride, writeCatalogOverride } from './catalog-override-file.js';

const source = 'LiteLLM price file prices.json';
const gpt4o: CatalogOverrideEntry = { name: 'gpt-4o', provider: 'openai', type: 'chat', price: { input: '2.75', output: '11' }, context: 128_000, source, as_of: '2026-01-15' };
const fresh: CatalogOverrideEntry = { name: 'gpt-9', provider: 'openai', type: 'chat', price: { input: '1', output: '4', cached_input: '0.5' }, context: 400_000, max_output: 32_000, source, as_of: '2026-01-15' };

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'frugal-override-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('applyCatalogOverride', () => {
  it('replaces the fields an entry has, keeps the rest of the built-in model, and adds new models', () => {
    const catalog = applyCatalogOverride(BUILTIN_CATALOG, [gpt4o, fresh]);
    const merged = catalog.find((model) => model.name === 'gpt-4o')!;
    // cached_input 1.25 and the capabilities are the built-in ones: the entry did not give them.
    expect(merged).toMatchObject({ provider: 'openai', price: { input: '2.75', output: '11', cached_input: 1.25 }, context: 128_000, max_output: 16_384, capabilities: { tools: true }, source, as_of: '2026-01-15' });
    expect(catalog.at(-1)).toMatchObject({ name: 'gpt-9', price: { input: '1', output: '4', cached_input: '0.5' } });
    expect(catalog).toHaveLength(BUILTIN_CATALOG.length + 1);
  });
});

describe('diffCatalogOverride', () => {
  it('lists what changed, old → new, and leaves out entries equal to the built-in catalog', () => {
    const same: CatalogOverrideEntry = { ...gpt4o, name: 'gpt-4o-mini', price: { input: '0.150', output: '0.6' } };
    const changes = diffCatalogOverride(BUILTIN_CATALOG, [gpt4o, same, fresh]);
    expect(changes.map((change) => change.name)).toEqual(['gpt-4o', 'gpt-9']);
    expect(formatCatalogChanges(changes).split('\n')).toEqual([
      'gpt-4o  input $/1M 2.5 → 2.75; output $/1M 10 → 11  (LiteLLM price file prices.json, as of 2026-01-15)',
      'gpt-9   new: input $/1M 1; output $/1M 4; cached $/1M 0.5; context 400000; max output 32000  (LiteLLM price file prices.json, as of 2026-01-15)',
    ]);
    expect(formatCatalogChanges([])).toBe('no differences from the built-in catalog');
  });
});

describe('catalog override file', () => {
  it('round-trips through <dataDir>/catalog-override.json and is absent when never written', async () => {
    expect(await readCatalogOverride(dataDir)).toBeUndefined();
    await writeCatalogOverride(dataDir, [fresh, gpt4o]);
    expect(await readCatalogOverride(dataDir)).toEqual([gpt4o, fresh]);
  });

  it('fails loudly on a broken file, naming the field', async () => {
    await writeFile(join(dataDir, 'catalog-override.json'), JSON.stringify({ version: 1, models: [{ ...gpt4o, price: { input: 2.75, output: '11' } }] }));
    await expect(readCatalogOverride(dataDir)).rejects.toMatchObject({ code: 'config_invalid', message: expect.stringContaining('models.0.price.input') });
  });

  it('is applied by loadConfig between the built-in catalog and the config models', async () => {
    await writeCatalogOverride(dataDir, [gpt4o, { ...gpt4o, name: 'gpt-4o-mini', price: { input: '0.2', output: '0.8' } }]);
    const configPath = join(dataDir, 'frugal.yaml');
    await writeFile(configPath, 'ledger:\n  data_dir: ${OVERRIDE_DIR}\nmodels:\n  - name: gpt-4o-mini\n    price: { input: 0.1, output: 0.4 }\n');
    const config = await loadConfig(configPath, { env: { OPENAI_API_KEY: 'sk-x', OVERRIDE_DIR: dataDir } });
    // The built-in batch price stays unless the imported entry brings its own (LiteLLM's *_batches columns).
    expect(config.models.get('gpt-4o')?.priceUsdPerMillion).toEqual({ input: '2.75', output: '11', cachedInput: '1.25', cacheWrite: '2.75', batch: { input: '1.25', output: '5', cachedInput: '1.25' } });
    expect(config.models.get('gpt-4o')?.source).toBe(source);
    // The config's own price wins over the override.
    expect(config.models.get('gpt-4o-mini')?.priceUsdPerMillion.input).toBe('0.1');
    expect(config.notes.some((note) => note.startsWith('catalog override: 2 models'))).toBe(true);
    // Without a config file the data dir comes from $FRUGAL_DATA_DIR.
    const bare = await loadConfig(undefined, { env: { OPENAI_API_KEY: 'sk-x', FRUGAL_DATA_DIR: dataDir } });
    expect(bare.models.get('gpt-4o-mini')?.priceUsdPerMillion.input).toBe('0.2');
    const none = await loadConfig(undefined, { env: { OPENAI_API_KEY: 'sk-x', FRUGAL_DATA_DIR: join(dataDir, 'empty') } });
    expect(none.models.get('gpt-4o')?.priceUsdPerMillion.input).toBe('2.5');
    expect(JSON.parse(await readFile(join(dataDir, 'catalog-override.json'), 'utf8')).version).toBe(1);
  });
});
