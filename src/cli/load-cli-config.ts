import { configFromSource, loadConfig, readConfigSource, type ConfigSource, type LoadConfigOptions } from '../config/load-config.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';

/**
 * loadConfig for a command: a validation error ("Invalid config: server.port: …") also names the file, since
 * the user may not know which one $FRUGAL_CONFIG points at.
 *
 * @example
 * const config = await loadCliConfig(options.config ?? process.env.FRUGAL_CONFIG); // Invalid config ./frugal.yaml: server.port: …
 */
export async function loadCliConfig(path: string | undefined, options: LoadConfigOptions = {}): Promise<GatewayConfig> {
  return namingFile(path, () => loadConfig(path, options));
}

/** readConfigSource with loadCliConfig's errors (a cluster's primary reads the file once for every worker). */
export function readCliConfigSource(path: string | undefined): Promise<ConfigSource> {
  return namingFile(path, () => readConfigSource(path));
}

/** configFromSource with loadCliConfig's errors: a worker refuses a text with the very message start-up gives. */
export function cliConfigFromSource(source: ConfigSource): Promise<GatewayConfig> {
  return namingFile(source.path, async () => configFromSource(source));
}

/**
 * Runs `load` so that a `config_invalid` error it throws names the config file. Also for what is checked after
 * loading: routes are validated when the gateway builds its route table.
 */
export async function namingFile<T>(path: string | undefined, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw withFileNamed(error, path);
  }
}

/** {@link namingFile} for a synchronous step (building the gateway on a reload checks its routes). */
export function namingFileSync<T>(path: string | undefined, build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw withFileNamed(error, path);
  }
}

function withFileNamed(error: unknown, path: string | undefined): unknown {
  if (!(error instanceof FrugalError) || error.code !== 'config_invalid' || path === undefined || error.message.includes(path)) return error;
  const named = error.message.startsWith('Invalid config: ') ? error.message.replace('Invalid config: ', `Invalid config ${path}: `) : `${path}: ${error.message}`;
  return new FrugalError('config_invalid', named, { param: error.param, cause: error });
}
