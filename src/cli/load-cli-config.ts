import { loadConfig, type LoadConfigOptions } from '../config/load-config.js';
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
  try {
    return await loadConfig(path, options);
  } catch (error) {
    if (!(error instanceof FrugalError) || error.code !== 'config_invalid' || path === undefined || error.message.includes(path)) throw error;
    const named = error.message.startsWith('Invalid config: ') ? error.message.replace('Invalid config: ', `Invalid config ${path}: `) : `${path}: ${error.message}`;
    throw new FrugalError('config_invalid', named, { param: error.param, cause: error });
  }
}
