import type { Command } from 'commander';
import { createMemoryBudgetStore } from '../budget/memory-budget-store.js';
import { createMemoryCacheStore } from '../cache/memory-cache-store.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { createGatewayFromConfig } from '../pipeline/create-gateway.js';
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js';
import { loadCliConfig, namingFile } from './load-cli-config.js';

interface CheckOptions {
  config?: string;
}

/**
 * `frugal config check`: everything `frugal serve` and a reload refuse, without serving. The file is loaded and
 * validated, then a gateway is built from it and closed at once, because routes, token reduction and the
 * semantic cache's embedder are only checked when their stages are built. It is built over in-memory stores, so
 * a check never connects to Redis or PostgreSQL and never creates a ledger.
 */
export function registerConfigCommand(program: Command) {
  const config = program.command('config').description('Check a config file before serving it.');
  config
    .command('check')
    .description('Validate a config file exactly as `frugal serve` and `frugal reload` would, without serving (exit 2 when it is refused).')
    .argument('[file]', 'the config file (default: --config, else $FRUGAL_CONFIG, else the embedded defaults)')
    .option('-c, --config <file>', 'the config file (default: $FRUGAL_CONFIG)')
    .action(async (file: string | undefined, options: CheckOptions) => {
      process.stdout.write(await checkConfig(file ?? options.config ?? process.env.FRUGAL_CONFIG));
    });
}

/** The summary of a config that would start; throws the `config_invalid` error start-up would, naming the file. */
export async function checkConfig(path: string | undefined): Promise<string> {
  const config = await loadCliConfig(path);
  await namingFile(path, async () => {
    const spend = { store: createMemoryBudgetStore(), limiter: createMemoryRateLimiter(), close: async () => undefined };
    await createGatewayFromConfig(config, undefined, createMemoryCacheStore(), spend).close();
  });
  return summary(path, config);
}

function summary(path: string | undefined, config: GatewayConfig): string {
  const routes = Object.keys(config.routes);
  const lines = [
    `${path ?? 'the embedded defaults (no --config, no $FRUGAL_CONFIG)'}: ok`,
    `  serves on http://${config.server.host}:${config.server.port}/v1${config.demoMode ? ' in demo mode (every model simulated)' : ''}`,
    `  providers: ${[...config.providers.values()].map((provider) => `${provider.name} (${provider.kind})`).join(', ')}`,
    `  models: ${config.models.size} (frugal models --config … lists them); routes: ${routes.length ? routes.join(', ') : '(none configured)'}`,
    `  ledger: ${!config.ledger.enabled ? 'off' : config.ledger.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.ledger.dataDir}`}`,
  ];
  for (const note of config.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}
