import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { BUILTIN_CATALOG } from '../catalog/builtin-catalog.js';
import { applyCatalogOverride, diffCatalogOverride, formatCatalogChanges } from '../catalog/catalog-override.js';
import { catalogOverridePath, readCatalogOverride, writeCatalogOverride } from '../catalog/catalog-override-file.js';
import { importLiteLlmPrices, parseLiteLlmPrices } from '../catalog/litellm-import.js';
import { loadCliConfig } from './load-cli-config.js';
import { FrugalError } from '../errors/frugal-error.js';

export interface ModelsImportOptions {
  all?: boolean;
  models?: string;
  only?: string;
  asOf?: string;
  dryRun?: boolean;
  config?: string;
  dataDir?: string;
}

const countModels = (count: number) => `${count} model${count === 1 ? '' : 's'}`;
const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

/** Where the override lives: --data-dir, else the config's data dir (ledger.data_dir, $FRUGAL_DATA_DIR, ./.frugal). */
async function dataDirAndConfigured(options: { config?: string; dataDir?: string }, env: NodeJS.ProcessEnv) {
  // The override is left out on purpose: a broken one must not stop the import that replaces it.
  const config = await loadCliConfig(options.config ?? (env.FRUGAL_CONFIG || undefined), { env, catalogOverride: [] });
  const builtin = new Set(BUILTIN_CATALOG.map((model) => model.name));
  return { dataDir: options.dataDir ?? config.ledger.dataDir, configured: [...config.models.keys()].filter((name) => !builtin.has(name)) };
}

/**
 * `frugal models import FILE`: LiteLLM prices into `<dataDir>/catalog-override.json`, merged with what an
 * earlier import left there. Returns the report it prints.
 */
export async function runModelsImport(file: string, options: ModelsImportOptions, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FrugalError('invalid_request', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: Record<string, unknown>;
  try {
    document = parseLiteLlmPrices(text);
  } catch (error) {
    throw new FrugalError('invalid_request', `${file}: ${(error as Error).message}`);
  }
  const asOf = options.asOf ?? new Date(now()).toISOString().slice(0, 10);
  const { dataDir, configured } = await dataDirAndConfigured(options, env);
  const existing = (await readCatalogOverride(dataDir).catch(() => undefined)) ?? [];
  const imported = importLiteLlmPrices(document, {
    builtin: BUILTIN_CATALOG,
    configured: [...configured, ...existing.map((entry) => entry.name)],
    all: options.all,
    models: list(options.models),
    only: list(options.only),
    source: `LiteLLM price file ${basename(file)}`,
    asOf,
  });

  const names = new Set(imported.entries.map((entry) => entry.name));
  const merged = [...existing.filter((entry) => !names.has(entry.name)), ...imported.entries];
  const changes = diffCatalogOverride(applyCatalogOverride(BUILTIN_CATALOG, existing), imported.entries);
  const path = options.dryRun ? catalogOverridePath(dataDir) : await writeCatalogOverride(dataDir, merged);

  const lines = [`${options.dryRun ? 'would import' : 'imported'} ${countModels(imported.entries.length)} from ${basename(file)} into ${path} (as of ${asOf})`];
  if (changes.length > 0) lines.push('', 'changed:', formatCatalogChanges(changes));
  const changed = new Set(changes.map((change) => change.name));
  const unchanged = imported.entries.filter((entry) => !changed.has(entry.name)).map((entry) => entry.name);
  if (unchanged.length > 0) lines.push('', `unchanged: ${unchanged.join(', ')}`);
  if (imported.rounded.length > 0) {
    lines.push('', 'rounded half-up to 6 decimals of USD per 1M tokens (the precision prices are kept at):');
    for (const price of imported.rounded) lines.push(`  ${price.name} ${price.field}: ${price.exact} → ${price.kept}`);
  }
  if (imported.skipped.length > 0) {
    lines.push('', 'skipped:');
    for (const skip of imported.skipped) lines.push(`  ${skip.key}: ${skip.reason}`);
  }
  if (imported.notSelected > 0) {
    lines.push('', `left out by the selection: ${countModels(imported.notSelected)} of the file (default: only models Frugal knows; choose with --models, --only or --all)`);
  }
  if (imported.entries.some((entry) => !BUILTIN_CATALOG.some((model) => model.name === entry.name))) {
    lines.push('', 'new models are served only when their provider is configured');
  }
  return `${lines.join('\n')}\n`;
}

/** `frugal models --diff`: what the imported override changes against the built-in catalog (old → new). */
export async function runModelsDiff(options: { config?: string; dataDir?: string }, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { dataDir } = await dataDirAndConfigured(options, env);
  const override = await readCatalogOverride(dataDir);
  const path = catalogOverridePath(dataDir);
  if (override === undefined) return `no catalog override at ${path} (frugal models import FILE creates one)\n`;
  return `catalog override ${path}: ${countModels(override.length)}\n\n${formatCatalogChanges(diffCatalogOverride(BUILTIN_CATALOG, override))}\n`;
}

/**
 * Adds `import FILE` and `diff` under the `models` command (which keeps its own action for the plain list).
 *
 * @example
 * registerModelsImportCommand(program.commands.find((command) => command.name() === 'models')!);
 */
export function registerModelsImportCommand(modelsCommand: Command): void {
  const write = (command: Command, text: string) => (command.configureOutput().writeOut ?? ((out: string) => process.stdout.write(out)))(text);
  modelsCommand
    .command('import')
    .argument('<file>', 'LiteLLM price file (model_prices_and_context_window.json shape)')
    .description('Import model prices from a LiteLLM price file into the catalog override (built-in < override < config models:).')
    .option('--all', 'import every chat and embedding model of the file, not only those in the built-in catalog or the config')
    .option('--models <names>', 'comma-separated models to import instead (file keys or Frugal names)')
    .option('--only <providers>', 'comma-separated providers to keep (openai, anthropic, deepseek, qwen, zhipu, or LiteLLM provider names)')
    .option('--as-of <date>', 'when the prices were taken (default: today, UTC)')
    .option('--dry-run', 'show what would change, write nothing')
    .option('-c, --config <file>', 'config whose models: count as known and whose data dir is used (default: $FRUGAL_CONFIG)')
    .option('--data-dir <dir>', 'where catalog-override.json goes (default: ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    // optsWithGlobals: `models` has its own --config, and commander gives a shared option to the parent.
    .action(async (file: string, _options: ModelsImportOptions, command: Command) => write(command, await runModelsImport(file, command.optsWithGlobals<ModelsImportOptions>())));
  modelsCommand
    .command('diff')
    .description('Show the models whose prices or context the imported override changes (old → new).')
    .option('-c, --config <file>', 'config whose data dir is used (default: $FRUGAL_CONFIG)')
    .option('--data-dir <dir>', 'where catalog-override.json is (default: ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .action(async (_options: { config?: string; dataDir?: string }, command: Command) => write(command, await runModelsDiff(command.optsWithGlobals())));
}
