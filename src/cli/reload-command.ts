import type { Command } from 'commander';
import type { GatewayConfig } from '../config/gateway-config.js';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import { FrugalError } from '../errors/frugal-error.js';
import { loadCliConfig } from './load-cli-config.js';

interface ReloadOptions {
  config?: string;
  url?: string;
}

interface ReloadReply {
  needs_restart?: string[];
  models?: number;
  routes?: string[];
  error?: { message?: string; code?: string };
}

/**
 * `frugal reload` asks the running gateway over POST /admin/reload, with the master key, rather than finding its
 * process by a pid file: the answer says whether the config was applied, which settings wait for a restart, or
 * the coded error of a refused config, and it reaches a gateway in a container or on another host. Without a
 * master key, `kill -HUP <pid>` does the same and the outcome is in the gateway's log.
 */
export function registerReloadCommand(program: Command) {
  program
    .command('reload')
    .description('Make the running gateway re-read its config (POST /admin/reload with the master key; same as SIGHUP).')
    .option('-c, --config <file>', 'the gateway’s config, for its address and master key (default: $FRUGAL_CONFIG)')
    .option('--url <url>', 'the gateway’s base URL (default: http://<server.host>:<server.port> from the config)')
    .action(async (options: ReloadOptions) => {
      process.stdout.write(await reload(options));
    });
}

export async function reload(options: ReloadOptions): Promise<string> {
  const config = await loadCliConfig(options.config ?? process.env.FRUGAL_CONFIG);
  if (!config.masterKey) {
    throw new FrugalError('permission_denied', 'frugal reload needs the master key (FRUGAL_MASTER_KEY or admin.master_key); without one, send SIGHUP to the gateway (kill -HUP <pid>) and read the outcome in its log.');
  }
  const url = `${(options.url ?? baseUrl(config)).replace(/\/+$/, '')}/admin/reload`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${config.masterKey}` } });
  } catch (error) {
    throw new FrugalError('upstream_unreachable', `No gateway answered at ${url} (${(error as Error).cause ?? (error as Error).message}); is frugal serve running? (--url to point elsewhere)`);
  }
  const reply = (await response.json().catch(() => ({}))) as ReloadReply;
  if (!response.ok) {
    const code = reply.error?.code && reply.error.code in ERROR_CODES ? (reply.error.code as ErrorCode) : 'internal_error';
    throw new FrugalError(code, `The gateway refused the reload: ${reply.error?.message ?? `HTTP ${response.status}`}`);
  }
  const lines = [`Config reloaded: ${reply.models ?? 0} models, routes: ${(reply.routes ?? []).join(', ') || '(none)'}.`];
  if (reply.needs_restart?.length) lines.push(`Kept as they run until a restart: ${reply.needs_restart.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/** Where a local gateway listens: a wildcard bind address is reached on the loopback. */
function baseUrl(config: GatewayConfig): string {
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}
