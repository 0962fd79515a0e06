import type { Command } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import { openLedgerReader } from '../ledger/open-ledger-reader.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf, type LedgerLocationOptions } from './ledger-location.js';

interface RollupOptions extends LedgerLocationOptions {
  rebuild?: boolean;
  json?: boolean;
}

/**
 * `frugal ledger rollup --rebuild`: remakes the dashboard's hourly rollup from the ledger rows, in one transaction
 * (the gateway's writer waits meanwhile). The writer keeps the rollup current by itself; this is for a rollup
 * that was changed by hand, or rows written by other tools straight into the table.
 */
export function registerLedgerRollupCommand(program: Command): void {
  const ledger = program.commands.find((command) => command.name() === 'ledger');
  if (!ledger) throw new FrugalError('internal_error', 'the ledger command must be registered before its rollup subcommand');
  ledger
    .command('rollup')
    .description('The hourly rollup the dashboard reads: --rebuild remakes it from the ledger rows.')
    .option('--rebuild', 'delete the rollup and sum it again from every ledger row')
    .option('-c, --config <file>', 'the gateway’s config: use the ledger its ledger: section names (default: $FRUGAL_CONFIG)')
    .option('--data-dir <dir>', 'directory of the SQLite ledger (default: the config’s ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .option('--database-url <url>', 'PostgreSQL ledger (default: $DATABASE_URL; prefer the variable, arguments are visible to other users)')
    .option('--json', 'print JSON')
    .action(async (options: RollupOptions, command: Command) => {
      if (!options.rebuild) throw new FrugalError('invalid_request', 'nothing to do: the writer keeps the rollup current; pass --rebuild to remake it from the rows', { param: 'rebuild' });
      const location = await resolveLedgerLocation(options);
      requireExistingLedger(location);
      // Brings the schema (and the rollup table) up to date first.
      const store = openLedgerStore(storeOptionsOf(location));
      try {
        await store.migrate();
      } finally {
        await store.close();
      }
      const reader = openLedgerReader(storeOptionsOf(location));
      const started = Date.now();
      try {
        const { groups } = await reader.rebuildRollup();
        const write = command.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
        const ms = Date.now() - started;
        write(options.json ? `${JSON.stringify({ groups, ms })}\n` : `Rollup rebuilt from the ledger rows: ${groups} hourly groups in ${ms} ms\n`);
      } finally {
        await reader.close();
      }
    });
}
