import type { Command } from 'commander';
import { openKeyStore } from '../keys/open-key-store.js';
import { MIGRATIONS } from '../ledger/migrations.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { openResponseStore } from '../responses/open-response-store.js';
import { resolveLedgerLocation, storeOptionsOf, type LedgerLocation, type LedgerLocationOptions } from './ledger-location.js';

interface MigrateOptions extends LedgerLocationOptions {
  json?: boolean;
}

export interface MigratedLedger {
  /** Where, without credentials: `sqlite <file>` or `postgres <host:port/database>`. */
  where: string;
  from: string;
  /** The newest ledger migration this build knows; every one up to it is now applied. */
  ledgerVersion: number;
}

/**
 * Brings the ledger's database to this build's schema: the ledger (and the feedback table it holds), virtual
 * keys and stored responses — the stores `frugal serve` migrates at start-up. Run it once before rolling out a
 * new version (the Helm chart's pre-upgrade job does), so replicas never race to migrate; they would still be
 * safe, since each migration takes the database's migration lock.
 *
 * @example
 * await migrateLedger(await resolveLedgerLocation({ config: 'frugal.yaml' })); // { where: 'postgres db:5432/frugal', … }
 */
export async function migrateLedger(location: LedgerLocation, { schema }: { schema?: string } = {}): Promise<MigratedLedger> {
  const where = storeOptionsOf(location);
  // One after the other: on SQLite they share one file, and the keys and responses tables sit beside the ledger's.
  const ledger = openLedgerStore({ ...where, schema });
  try {
    await ledger.migrate();
  } finally {
    await ledger.close();
  }
  const keys = openKeyStore({ ...where, schema });
  try {
    await keys.migrate();
  } finally {
    await keys.close();
  }
  const responses = openResponseStore({ ledgerEnabled: true, ...where, schema });
  try {
    await responses.migrate();
  } finally {
    await responses.close();
  }
  return {
    where: location.kind === 'sqlite' ? `sqlite ${location.file}` : `postgres ${databaseWhere(location.databaseUrl)}`,
    from: location.from,
    ledgerVersion: Math.max(...MIGRATIONS.map((migration) => migration.version)),
  };
}

/** host:port/database of a PostgreSQL URL, never its user or password. */
function databaseWhere(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(the configured database URL)';
  }
}

/** `frugal ledger migrate`: what a deployment runs before starting new replicas (the Helm chart's migrations job). */
export function registerLedgerCommand(program: Command): void {
  const ledger = program.command('ledger').description('Maintain the ledger database (SQLite or PostgreSQL).');
  ledger
    .command('migrate')
    .description('Create or upgrade the ledger, key and stored-response tables to this version (creates a SQLite ledger if none exists).')
    .option('-c, --config <file>', 'the gateway’s config: migrate the ledger its ledger: section names (default: $FRUGAL_CONFIG)')
    .option('--data-dir <dir>', 'directory of the SQLite ledger (default: the config’s ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .option('--database-url <url>', 'PostgreSQL ledger (default: $DATABASE_URL; prefer the variable, arguments are visible to other users)')
    .option('--json', 'print JSON')
    .action(async (options: MigrateOptions, command: Command) => {
      const migrated = await migrateLedger(await resolveLedgerLocation(options));
      const write = command.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
      write(options.json ? `${JSON.stringify(migrated)}\n` : `Ledger migrated to version ${migrated.ledgerVersion}: ${migrated.where} (${migrated.from})\n`);
    });
}
