import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { CatalogOverrideEntry } from '../catalog/catalog-override.js';
import { readCatalogOverride } from '../catalog/catalog-override-file.js';
import { configSchema, type RawConfig } from './config-schema.js';
import type { GatewayConfig } from './gateway-config.js';
import { interpolateEnv, type MissingVariable } from './interpolate-env.js';
import { configError, resolveConfig } from './resolve-config.js';

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Imported catalog prices; `loadConfig` reads `<data dir>/catalog-override.json` when this is not given. */
  catalogOverride?: readonly CatalogOverrideEntry[];
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
  return resolveConfig(parsed.data as RawConfig, { env, missing, catalogOverride: options.catalogOverride });
}

/** Load → validate → freeze. The path comes from --config or FRUGAL_CONFIG; no path means embedded defaults. */
export async function loadConfig(path: string | undefined, options: LoadConfigOptions = {}): Promise<GatewayConfig> {
  if (path === undefined) return validateConfig({}, await withCatalogOverride({}, options));
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
  return validateConfig(document, await withCatalogOverride(document, options));
}

/** Adds the imported catalog override from the data dir the config names (ledger.data_dir, else $FRUGAL_DATA_DIR, else ./.frugal). */
async function withCatalogOverride(document: unknown, options: LoadConfigOptions): Promise<LoadConfigOptions> {
  if (options.catalogOverride !== undefined) return options;
  const env = options.env ?? process.env;
  const dataDir = (document as { ledger?: { data_dir?: unknown } } | null)?.ledger?.data_dir;
  const configured = typeof dataDir === 'string' ? String(interpolateEnv(dataDir, env, [])) : undefined;
  return { ...options, catalogOverride: await readCatalogOverride(configured ?? env.FRUGAL_DATA_DIR ?? './.frugal') };
}
