import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { loadConfig, validateConfig } from './load-config.js';

/** The mistakes a new user makes writing a first config: each is one line naming the file or path, never a secret. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frugal-config-mistakes-'));
});

async function refusal(text: string, env: Record<string, string> = {}): Promise<FrugalError> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  const error = await loadConfig(file, { env, catalogOverride: [] }).then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(FrugalError);
  expect((error as FrugalError).code).toBe('config_invalid');
  return error as FrugalError;
}

function validationError(document: unknown, env: Record<string, string> = {}): FrugalError {
  try {
    validateConfig(document, { env, catalogOverride: [] });
  } catch (error) {
    expect(error).toBeInstanceOf(FrugalError);
    return error as FrugalError;
  }
  throw new Error('expected the config to be refused');
}

describe('config mistakes', () => {
  it('says how to quote a ${VAR} inside a { } map, in one line that never quotes the file', async () => {
    const error = await refusal('providers:\n  openai: { kind: openai, api_key: ${OPENAI_API_KEY} }\n  spare: { kind: openai, api_key: sk-live-0123456789abcdef }\n');
    expect(error.message).toMatch(/is not valid YAML: .*line 2, column \d+ \(inside \{ \} or \[ \], quote a \$\{VAR\}/);
    expect(error.message).not.toContain('\n');
  });

  it('keeps the file out of a YAML error: the line it points at may hold a key', async () => {
    const error = await refusal('providers:\n  openai:\n    kind: openai\n\tapi_key: sk-live-0123456789abcdef\n');
    expect(error.message).toContain('Tabs are not allowed');
    expect(error.message).not.toContain('sk-live');
  });

  it('refuses an empty file or one of comments only instead of serving the demo defaults', async () => {
    for (const text of ['', '# nothing yet\n']) expect((await refusal(text)).message).toMatch(/is empty: .*\{\} for the embedded defaults/);
    await writeFile(join(dir, 'braces.yaml'), '{}\n');
    expect((await loadConfig(join(dir, 'braces.yaml'), { env: {}, catalogOverride: [] })).demoMode).toBe(true);
  });

  it('says a missing file is missing, in words', async () => {
    await expect(loadConfig(join(dir, 'absent.yaml'), { env: {} })).rejects.toMatchObject({ code: 'config_invalid', message: `Invalid config: ${join(dir, 'absent.yaml')}: no such file` });
  });

  it('refuses two models with the same name, naming both entries', () => {
    const model = { name: 'm1', provider: 'sim', price: { input: 1, output: 2 } };
    const error = validationError({ providers: { sim: { kind: 'simulated' } }, models: [model, { ...model, price: { input: 3, output: 4 } }] });
    expect(error.message).toBe("Invalid config: models[1].name: 'm1' is already the name of models[0]; model names must be unique");
  });

  it('names an unknown key by its own path', () => {
    expect(validationError({ server: { port: 4000, prot: 1 } }).message).toBe('Invalid config: server.prot: unknown key');
    expect(validationError({ sevrer: {} }).message).toBe('Invalid config: sevrer: unknown key');
  });

  it('checks FRUGAL_PORT and PORT, and serves on PORT when FRUGAL_PORT is not set', () => {
    expect(validationError({}, { FRUGAL_PORT: 'abc' }).message).toBe("Invalid config: FRUGAL_PORT: a port number from 0 to 65535, got 'abc'");
    expect(validationError({}, { PORT: '70000' }).message).toContain('PORT: a port number from 0 to 65535');
    expect(validateConfig({}, { env: { PORT: '8080' }, catalogOverride: [] }).server.port).toBe(8080);
    expect(validateConfig({}, { env: { PORT: '8080', FRUGAL_PORT: '4100' }, catalogOverride: [] }).server.port).toBe(4100);
    expect(validateConfig({ server: { port: 4200 } }, { env: { FRUGAL_PORT: '4100' }, catalogOverride: [] }).server.port).toBe(4200);
  });

  it('checks FRUGAL_LOG_LEVEL instead of leaving it to the logger', () => {
    expect(validationError({}, { FRUGAL_LOG_LEVEL: 'loud' }).message).toContain("FRUGAL_LOG_LEVEL: one of fatal, error, warn, info, debug, trace, silent, got 'loud'");
    expect(validateConfig({}, { env: { FRUGAL_LOG_LEVEL: 'WARN' }, catalogOverride: [] }).logLevel).toBe('warn');
  });

  it('accepts the README Configuration example as written', async () => {
    const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const env = { OPENAI_API_KEY: 'sk-a', GLOBAL_API_KEY: 'g-b', ANTHROPIC_API_KEY: 'a-c' };
    const config = validateConfig(parseYaml(example), { env, catalogOverride: [] });
    expect(config.providers.get('openai')?.apiKey).toBe('sk-a');
    expect(config.models.get('deepseek-v4-flash')?.provider).toBe('global');
  });
});
