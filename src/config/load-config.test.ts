import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { loadConfig, validateConfig } from './load-config.js';

function configErrorOf(run: () => unknown): FrugalError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FrugalError);
    expect((error as FrugalError).code).toBe('config_invalid');
    return error as FrugalError;
  }
  throw new Error('expected a config error');
}

describe('config', () => {
  it('runs in demo mode on the simulated provider with no config and no keys', () => {
    const config = validateConfig({}, { env: {} });
    expect(config.demoMode).toBe(true);
    expect([...config.providers.keys()]).toEqual(['simulated']);
    expect(config.models.get('gpt-4o-mini')?.provider).toBe('simulated');
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 4000, bodyLimitBytes: 10 * 1024 * 1024 });
  });

  it('configures providers from API keys in the environment', () => {
    const config = validateConfig({}, { env: { OPENAI_API_KEY: 'sk-test', DEEPSEEK_API_KEY: 'sk-ds' } });
    expect(config.demoMode).toBe(false);
    expect([...config.providers.keys()].sort()).toEqual(['deepseek', 'openai']);
    expect(config.models.get('gpt-4o')?.provider).toBe('openai');
    expect(config.models.get('deepseek-v4-flash')?.provider).toBe('deepseek');
    expect(config.models.has('claude-haiku-4-5')).toBe(false);
  });

  it('interpolates ${VAR} and lets config prices override the catalog', () => {
    const config = validateConfig(
      {
        providers: { global: { kind: 'openai', base_url: 'https://global-apis.com/v1', api_key: '${GLOBAL_API_KEY}' } },
        models: [
          { name: 'deepseek-v4-flash', provider: 'global', upstream: 'deepseek-ai/DeepSeek-V4-Flash', price: { input: 0.2, output: 1 } },
        ],
      },
      { env: { GLOBAL_API_KEY: 'k-123' } },
    );
    expect(config.providers.get('global')?.apiKey).toBe('k-123');
    const model = config.models.get('deepseek-v4-flash');
    expect(model?.upstream).toBe('deepseek-ai/DeepSeek-V4-Flash');
    expect(model?.price.inputPico).toBe(200_000);
    // Catalog context survives a partial override.
    expect(model?.context).toBe(128_000);
  });

  it('names the missing environment variable of a used provider', () => {
    const error = configErrorOf(() =>
      validateConfig(
        { providers: { openai: { kind: 'openai', api_key: '${OPENAI_API_KEY}' } }, models: [{ name: 'gpt-4o', provider: 'openai' }] },
        { env: {} },
      ),
    );
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).toContain('providers.openai.api_key');
  });

  it('only notes a missing variable of an unused provider', () => {
    const config = validateConfig(
      {
        providers: { sim: { kind: 'simulated' }, spare: { kind: 'openai', api_key: '${SPARE_KEY}' } },
        models: [{ name: 'cheap', provider: 'sim', price: { input: 0.1, output: 0.2 } }],
      },
      { env: {} },
    );
    expect(config.notes.join('\n')).toContain('SPARE_KEY');
  });

  it('rejects unknown keys naming the path', () => {
    const error = configErrorOf(() => validateConfig({ providers: { sim: { kind: 'simulated', colour: 'red' } } }, { env: {} }));
    expect(error.message).toContain('providers.sim');
    expect(error.message).toContain('colour');
  });

  it('rejects a model on an unknown provider and a model without a price', () => {
    expect(configErrorOf(() => validateConfig({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'x', provider: 'nope', price: { input: 1, output: 1 } }] }, { env: {} })).message).toContain('models[0].provider');
    expect(configErrorOf(() => validateConfig({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'x', provider: 'sim' }] }, { env: {} })).message).toContain('models[0].price');
  });

  it('rejects prices with more precision than it can keep exactly', () => {
    const error = configErrorOf(() => validateConfig({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'x', provider: 'sim', price: { input: 0.0000001, output: 1 } }] }, { env: {} }));
    expect(error.message).toContain('models[0].price.input');
  });

  it('refuses a shared pgvector index over per-instance answers, or without a database', () => {
    expect(configErrorOf(() => validateConfig({ cache: { semantic: { enabled: true, index: 'postgres' } } }, { env: { DATABASE_URL: 'postgres://x' } })).message).toContain('cache.backend: redis');
    expect(configErrorOf(() => validateConfig({ cache: { backend: 'redis', semantic: { enabled: true, index: 'postgres' } } }, { env: {} })).message).toContain('DATABASE_URL');
    expect(validateConfig({ cache: { backend: 'redis', semantic: { enabled: true, index: 'postgres' } } }, { env: { DATABASE_URL: 'postgres://x' } }).cache.semantic.index).toBe('postgres');
  });

  it('loads YAML from a file and reports YAML syntax errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-config-'));
    const good = join(dir, 'good.yaml');
    await writeFile(good, 'providers:\n  sim: { kind: simulated }\nserver: { port: 4100 }\n');
    expect((await loadConfig(good, { env: {} })).server.port).toBe(4100);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'providers: [\n');
    await expect(loadConfig(bad, { env: {} })).rejects.toMatchObject({ code: 'config_invalid' });
  });
});
