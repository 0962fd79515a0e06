import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
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
    // An unknown key is named by its own path (server.bogus), the way every other mistake is.
    if (issue.code === 'unrecognized_keys') {
      const where = (key: string) => (path ? `${path}.${key}` : key);
      throw configError(issue.keys.length === 1 ? `${where(issue.keys[0])}: unknown key` : `${path || '(root)'}: unknown keys ${issue.keys.map(where).join(', ')}`);
    }
    throw configError(`${path || '(root)'}: ${issue.message}`);
  }
  return resolveConfig(parsed.data as RawConfig, { env, missing, catalogOverride: options.catalogOverride });
}

/**
 * A config file as read at one moment: its text and the imported catalog override beside it. What
 * `frugal serve --workers N` hands its workers, so that every worker (a replacement too) runs the very text the
 * others run, not whatever the file holds when it starts. Plain JSON: it travels over IPC.
 */
export interface ConfigSource {
  /** undefined: no file, the embedded defaults. */
  path: string | undefined;
  text: string | undefined;
  catalogOverride: CatalogOverrideEntry[];
}

/** Load → validate → freeze. The path comes from --config or FRUGAL_CONFIG; no path means embedded defaults. */
export async function loadConfig(path: string | undefined, options: LoadConfigOptions = {}): Promise<GatewayConfig> {
  return configFromSource(await readConfigSource(path, options), options);
}

/** Reads the file (and the catalog override its data dir holds); throws the `config_invalid` error start-up does when it cannot. */
export async function readConfigSource(path: string | undefined, options: LoadConfigOptions = {}): Promise<ConfigSource> {
  let text: string | undefined;
  if (path !== undefined) {
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw configError(unreadable(path, error as NodeJS.ErrnoException));
    }
  }
  let document: unknown = {};
  try {
    document = text === undefined ? {} : parseYaml(text);
  } catch {
    // No data dir to read an override from: configFromSource reports the YAML error, as loadConfig always did first.
    return { path, text, catalogOverride: [] };
  }
  const { catalogOverride } = await withCatalogOverride(document, options);
  return { path, text, catalogOverride: [...(catalogOverride ?? [])] };
}

/** Parses and validates what readConfigSource read: the same errors, naming the same paths, as loadConfig. */
export function configFromSource(source: ConfigSource, options: LoadConfigOptions = {}): GatewayConfig {
  const withOverride = { ...options, catalogOverride: options.catalogOverride ?? source.catalogOverride };
  if (source.text === undefined) return validateConfig({}, withOverride);
  let document: unknown;
  try {
    document = parseYaml(source.text);
  } catch (error) {
    throw configError(`${source.path} is not valid YAML: ${yamlProblem(error as Error, source.text)}`);
  }
  // An empty file is a mistake far more often than a wish for the defaults (a wrong path, a truncated write).
  if (document === null || document === undefined) {
    throw configError(`${source.path} is empty: write at least one setting (or {} for the embedded defaults), or leave out --config / FRUGAL_CONFIG`);
  }
  return validateConfig(document, withOverride);
}

/** Why a config file could not be read, in words (not ENOENT), with the directory a relative path was looked up in. */
function unreadable(path: string, error: NodeJS.ErrnoException): string {
  const relative = isAbsolute(path) ? '' : ` (relative to ${process.cwd()})`;
  if (error.code === 'ENOENT') return `${path}: no such file${relative}`;
  if (error.code === 'EISDIR') return `${path} is a directory: expected a YAML file`;
  if (error.code === 'EACCES' || error.code === 'EPERM') return `${path}: permission denied`;
  return `cannot read ${path}: ${error.code ?? error.message}`;
}

/**
 * The parser's first line only ("… at line 3, column 5"): the code frame under it quotes the file, and the line
 * it quotes may hold an api_key — this message reaches logs and the POST /admin/reload reply.
 */
function yamlProblem(error: Error, text: string): string {
  const first = error.message.split('\n')[0].replace(/:\s*$/, '');
  const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
  const source = line === undefined ? '' : (text.split('\n')[line - 1] ?? '');
  // `{ api_key: ${KEY} }`: inside { } or [ ] YAML reads `{` as a nested map; the ${VAR} must be quoted.
  if (/[{[][^'"]*\$\{/.test(source)) return `${first} (inside { } or [ ], quote a \${VAR}: api_key: "\${OPENAI_API_KEY}")`;
  return first;
}

/** Adds the imported catalog override from the data dir the config names (ledger.data_dir, else $FRUGAL_DATA_DIR, else ./.frugal). */
async function withCatalogOverride(document: unknown, options: LoadConfigOptions): Promise<LoadConfigOptions> {
  if (options.catalogOverride !== undefined) return options;
  const env = options.env ?? process.env;
  const dataDir = (document as { ledger?: { data_dir?: unknown } } | null)?.ledger?.data_dir;
  const configured = typeof dataDir === 'string' ? String(interpolateEnv(dataDir, env, [])) : undefined;
  return { ...options, catalogOverride: await readCatalogOverride(configured ?? env.FRUGAL_DATA_DIR ?? './.frugal') };
}
