import type { Command } from 'commander';
import { loadCliConfig } from './load-cli-config.js';
import { runModelsDiff } from './models-import-command.js';
import type { ModelEntry } from '../config/gateway-config.js';

/**
 * The model table: what each model costs per 1M tokens — real time, and where the provider offers them the
 * batch, flex and off-peak prices (input/output) — and how much it can hold. Off-peak windows are listed
 * under the table: they are too long for a column.
 */
export function formatModelTable(models: readonly ModelEntry[]): string {
  const header = ['name', 'provider', 'input $/1M', 'output $/1M', 'cached $/1M', 'batch in/out', 'flex in/out', 'off-peak in/out', 'context'];
  const pair = (rates: { input: string; output: string } | undefined) => (rates === undefined ? '-' : `${rates.input}/${rates.output}`);
  const rows = models.map((model) => [
    model.name,
    model.provider,
    model.priceUsdPerMillion.input,
    model.priceUsdPerMillion.output,
    model.priceUsdPerMillion.cachedInput,
    pair(model.priceUsdPerMillion.batch),
    pair(model.priceUsdPerMillion.flex),
    pair(model.priceUsdPerMillion.offPeak),
    model.context === undefined ? '-' : String(model.context),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  const table = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
  const windows = models.filter((model) => model.priceUsdPerMillion.offPeak !== undefined);
  if (windows.length === 0) return table.join('\n');
  return [
    ...table,
    '',
    'off-peak windows (start inclusive, end exclusive; a call is priced by when it is sent):',
    ...windows.map((model) => `  ${model.name}: ${model.priceUsdPerMillion.offPeak!.windows.join(', ')}`),
  ].join('\n');
}

export function registerModelsCommand(program: Command) {
  program
    .command('models')
    .description('List the models the gateway serves with their prices and context windows.')
    .option('-c, --config <file>', 'YAML config file (default: $FRUGAL_CONFIG)')
    .option('--json', 'print JSON')
    .option('--diff', 'show what the imported price override changes against the built-in catalog (same as `models diff`)')
    .action(async (options: { config?: string; json?: boolean; diff?: boolean }) => {
      if (options.diff) {
        process.stdout.write(await runModelsDiff({ config: options.config }));
        return;
      }
      const config = await loadCliConfig(options.config ?? process.env.FRUGAL_CONFIG);
      const models = [...config.models.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(models.map(({ price: _price, ...rest }) => rest), null, 2)}\n`);
        return;
      }
      if (config.demoMode) process.stdout.write('demo mode: every model is served by the simulated provider\n');
      process.stdout.write(`${formatModelTable(models)}\n`);
    });
}
