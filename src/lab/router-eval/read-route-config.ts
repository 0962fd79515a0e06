import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { configError } from '../../config/resolve-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import { parseRouteSpec } from '../../routing/parse-route-spec.js';
import type { RouteSpec } from '../../routing/route-schema.js';

/**
 * The `routes:` of a config file, each validated with the gateway's own route schema, for offline replay.
 * Only the routes are read: a replay's models are the data file's (named directly or through --as), so the
 * config's providers, keys and catalog are not needed and not checked here.
 */
export async function readRouteConfig(path: string): Promise<Map<string, RouteSpec>> {
  let document: unknown;
  try {
    document = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw configError(`cannot read routes from ${path}: ${(error as Error).message}`);
  }
  return parseRoutes((document as { routes?: unknown } | null)?.routes, path);
}

export function parseRoutes(raw: unknown, source: string): Map<string, RouteSpec> {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw configError(`${source}: no routes: section`);
  const routes = new Map<string, RouteSpec>();
  for (const [name, spec] of Object.entries(raw)) {
    routes.set(name, parseRouteSpec(name, spec));
  }
  return routes;
}

/** `--as cheap=mistralai/mixtral-8x7b-chat,strong=gpt-4-1106-preview`: route model names → the file's model names. */
export function parseAliases(values: readonly string[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const value of values.flatMap((item) => item.split(','))) {
    const equals = value.indexOf('=');
    if (equals <= 0 || equals === value.length - 1) throw new FrugalError('invalid_request', `--as expects name=model, got "${value}"`, { param: 'as' });
    aliases.set(value.slice(0, equals).trim(), value.slice(equals + 1).trim());
  }
  return aliases;
}
