import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { interpolateEnv, type MissingVariable } from '../config/interpolate-env.js';
import { readConfigSource } from '../config/load-config.js';
import { FrugalError } from '../errors/frugal-error.js';

/** The flags every ledger-reading command takes. */
export interface LedgerLocationOptions {
  dataDir?: string;
  databaseUrl?: string;
  /** A gateway config whose `ledger:` section says where the ledger is (default: $FRUGAL_CONFIG). */
  config?: string;
}

/** Where a command finds the ledger (and the keys beside it), and what chose that place, for messages. */
export type LedgerLocation =
  | { kind: 'postgres'; databaseUrl: string; from: string }
  | { kind: 'sqlite'; dataDir: string; file: string; from: string };

const HOW_TO_POINT = 'Point to the gateway’s ledger with --data-dir DIR, --config FILE (its ledger.data_dir or ledger.database_url) or DATABASE_URL=postgres://…';

function sqlite(dataDir: string, from: string): LedgerLocation {
  return { kind: 'sqlite', dataDir, file: resolve(join(dataDir, 'ledger.sqlite')), from };
}

/** Only the config's `ledger:` section: a report must not fail because a provider's API key is unset in this shell. */
async function configuredLedger(path: string, env: NodeJS.ProcessEnv): Promise<{ enabled?: unknown; database_url?: unknown; data_dir?: unknown }> {
  // Read as `frugal serve` reads it, so a missing file gets the same words ("no such file (relative to …)").
  // No catalog override is read: only `ledger:` matters here.
  const { text = '' } = await readConfigSource(path, { env, catalogOverride: [] });
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new FrugalError('config_invalid', `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const missing: MissingVariable[] = [];
  const ledger = interpolateEnv((document as { ledger?: unknown } | null)?.ledger ?? {}, env, missing, 'ledger');
  if (missing.length > 0) throw new FrugalError('config_invalid', `${path}: ${missing[0].path}: environment variable ${missing[0].variable} is not set`);
  if (ledger === null || typeof ledger !== 'object') throw new FrugalError('config_invalid', `${path}: ledger: expected a mapping`);
  return ledger as { enabled?: unknown; database_url?: unknown; data_dir?: unknown };
}

/**
 * The ledger a command uses. Flags win over a config, a config over the environment — the same places
 * `frugal serve` writes to when given the same config and environment:
 * --database-url, --data-dir, then the config's ledger.database_url / ledger.data_dir (--config, else
 * $FRUGAL_CONFIG; each falls back to $DATABASE_URL / $FRUGAL_DATA_DIR as the gateway does), then $DATABASE_URL,
 * $FRUGAL_DATA_DIR, ./.frugal.
 *
 * @example
 * const location = await resolveLedgerLocation({ dataDir: options.dataDir });
 * requireExistingLedger(location); // a read command: refuse rather than create an empty ledger
 */
export async function resolveLedgerLocation(options: LedgerLocationOptions, env: NodeJS.ProcessEnv = process.env): Promise<LedgerLocation> {
  if (options.databaseUrl) return { kind: 'postgres', databaseUrl: options.databaseUrl, from: 'from --database-url' };
  if (options.dataDir) return sqlite(options.dataDir, 'from --data-dir');
  const configPath = options.config ?? (env.FRUGAL_CONFIG || undefined);
  if (configPath !== undefined) {
    const named = options.config === undefined ? `$FRUGAL_CONFIG (${configPath})` : configPath;
    const ledger = await configuredLedger(configPath, env);
    if (ledger.enabled === false) throw new FrugalError('config_invalid', `the ledger is disabled in ${named} (ledger.enabled: false): there is nothing to read. ${HOW_TO_POINT}.`);
    if (typeof ledger.database_url === 'string' && ledger.database_url !== '') return { kind: 'postgres', databaseUrl: ledger.database_url, from: `from ledger.database_url in ${named}` };
    if (env.DATABASE_URL) return { kind: 'postgres', databaseUrl: env.DATABASE_URL, from: `from $DATABASE_URL; ${named} sets no ledger.database_url` };
    if (typeof ledger.data_dir === 'string') return sqlite(ledger.data_dir, `from ledger.data_dir in ${named}`);
    if (env.FRUGAL_DATA_DIR) return sqlite(env.FRUGAL_DATA_DIR, `from $FRUGAL_DATA_DIR; ${named} sets no ledger.data_dir`);
    return sqlite('./.frugal', `the default; ${named} sets no ledger.data_dir`);
  }
  if (env.DATABASE_URL) return { kind: 'postgres', databaseUrl: env.DATABASE_URL, from: 'from $DATABASE_URL' };
  if (env.FRUGAL_DATA_DIR) return sqlite(env.FRUGAL_DATA_DIR, 'from $FRUGAL_DATA_DIR');
  return sqlite('./.frugal', 'the default: no --data-dir, --config, $FRUGAL_CONFIG, $FRUGAL_DATA_DIR or $DATABASE_URL given');
}

/**
 * For commands that only read: a missing SQLite ledger is an error that says where it looked, never an empty
 * ledger (and data directory) created wherever the command happened to run. PostgreSQL is reached as configured:
 * its database exists or the connection fails.
 */
export function requireExistingLedger(location: LedgerLocation): void {
  if (location.kind === 'sqlite' && !existsSync(location.file)) {
    throw new FrugalError('not_found', `no ledger at ${location.file} (${location.from}). ${HOW_TO_POINT}; \`frugal serve\` creates one when it starts.`);
  }
}

/** The `{ databaseUrl, dataDir }` that openLedgerStore and openKeyStore take. */
export function storeOptionsOf(location: LedgerLocation): { databaseUrl: string | undefined; dataDir: string } {
  return location.kind === 'postgres' ? { databaseUrl: location.databaseUrl, dataDir: './.frugal' } : { databaseUrl: undefined, dataDir: location.dataDir };
}
