import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { loadCliConfig } from './load-cli-config.js';

interface DashboardCommandOptions {
  config?: string;
  port?: string;
  host?: string;
  open?: boolean;
}

/** The dashboard's address for a gateway listening on host:port (a wildcard bind is reached on loopback). */
export function dashboardUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/dashboard`;
}

/**
 * `frugal dashboard [--open]`: prints the URL of the running gateway's dashboard (the config's server.host and
 * server.port, as `frugal serve` reads them), and with --open starts the system's browser on it.
 */
export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('Print (or --open) the URL of the gateway’s dashboard: spend, savings, routing, cache, budgets, quality, live requests.')
    .option('-c, --config <file>', 'the gateway’s config (default: $FRUGAL_CONFIG): its server.host and server.port')
    .option('-p, --port <port>', 'the gateway’s port (default: the config’s, $FRUGAL_PORT or 4000)')
    .option('--host <host>', 'the gateway’s address (default: the config’s, $FRUGAL_HOST or 127.0.0.1)')
    .option('--open', 'open it in the default browser')
    .action(async (options: DashboardCommandOptions, command: Command) => {
      const configPath = options.config ?? process.env.FRUGAL_CONFIG;
      const server = configPath ? (await loadCliConfig(configPath)).server : undefined;
      const port = Number(options.port ?? server?.port ?? process.env.FRUGAL_PORT ?? 4000);
      const host = options.host ?? server?.host ?? process.env.FRUGAL_HOST ?? '127.0.0.1';
      const url = dashboardUrl(host, port);
      const write = command.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
      write(`${url}\nSign in with FRUGAL_MASTER_KEY (everything) or a virtual key (its own spend); a gateway with neither is open.\n`);
      if (options.open) {
        const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
        spawn(opener, [url], { detached: true, stdio: 'ignore' }).on('error', () => process.stderr.write(`could not start ${opener}: open ${url} yourself\n`)).unref();
      }
    });
}
