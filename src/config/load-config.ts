import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { configSchema, type RawConfig } from './config-schema.js';
import type { GatewayConfig } from './gateway-config.js';
import { interpolateEnv, type MissingVariable } from './interpolate-env.js';
import { configError, resolveConfig } from './resolve-config.js';

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
}

/** Validates an already-parsed config document (YAML or an object given to createGateway). */
export function validateConfig(document: unknown, options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const missing: MissingVariable[] = [];
  const interpolated = interpolateEnv(document ?? {}, env, missing);
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw configError(`${path || '(root)'}: ${issue.message}${keys}`);
  }
  return resolveConfig(parsed.data as RawConfig, { env, missing });
}

/** Load → validate → freeze. The path comes from --config or FRUGAL_CONFIG; no path means embedded defaults. */
export async function loadConfig(path: string | undefined, options: LoadConfigOptions = {}): Promise<GatewayConfig> {
  if (path === undefined) return validateConfig({}, options);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw configError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw configError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  return validateConfig(document, options);
}
