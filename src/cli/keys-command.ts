import { type Command, Option } from 'commander';
import { BUDGET_PERIODS } from '../budget/budget-period.js';
import { FrugalError } from '../errors/frugal-error.js';
import { parseCreateKeyRequest, type CreateKeyRequest } from '../keys/create-key-request.js';
import { toKeyJson } from '../keys/key-json.js';
import type { IssuedKey, KeyStore } from '../keys/key-store.js';
import { openKeyStore } from '../keys/open-key-store.js';
import { keyInvalidationChannel, publishKeyInvalidation } from '../keys/redis-key-invalidation.js';
import { loadCliConfig } from './load-cli-config.js';
import { keyStatus, type VirtualKey } from '../keys/virtual-key.js';
import { requireExistingLedger, resolveLedgerLocation, storeOptionsOf } from './ledger-location.js';

interface StoreOptions {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  json?: boolean;
}

interface CreateOptions extends StoreOptions {
  name: string;
  team?: string;
  models?: string;
  budgetUsd?: string;
  period?: string;
  soft?: boolean;
  rpm?: string;
  tpm?: string;
  expiresInDays?: string;
  tag: string[];
}

/** Request fields → the flag a CLI user typed, so a validation error names what they can fix. */
const FLAG_OF: Record<string, string> = {
  name: '--name',
  team: '--team',
  models: '--models',
  budget_usd: '--budget-usd',
  budget_period: '--period',
  budget_hard: '--soft',
  rpm: '--rpm',
  tpm: '--tpm',
  expires_in_days: '--expires-in-days',
  tags: '--tag',
};

const SHOWN_ONCE = 'This is the only time the key is shown: Frugal keeps only its hash. Store it somewhere safe now.';
const CACHE_NOTE = 'Gateways already running notice within 30 s (their key cache).';

function inFlagTerms(error: unknown): unknown {
  if (!(error instanceof FrugalError) || error.param === null) return error;
  const field = error.param.split('.')[0];
  const flag = FLAG_OF[field];
  if (!flag) return error;
  let message = error.message.replace(`'${error.param}'`, field === error.param ? flag : `${flag} (${error.param})`);
  // Field names with an underscore are unambiguous, so any mention of one ("only applies with budget_usd") is renamed too.
  for (const [name, nameFlag] of Object.entries(FLAG_OF)) if (name.includes('_')) message = message.replaceAll(name, nameFlag);
  return new FrugalError(error.code, message, { param: error.param, cause: error });
}

function collectTag(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function tagsOf(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new FrugalError('invalid_request', `--tag expects name=value, got "${pair}"`, { param: 'tags' });
    tags[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return tags;
}

/** Flags → the admin API's request body, so both are validated by the same schema. */
function requestOf(options: CreateOptions): CreateKeyRequest {
  const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  return {
    name: options.name,
    team: options.team,
    models: options.models?.split(',').map((model) => model.trim()),
    budget_usd: options.budgetUsd,
    budget_period: options.period as CreateKeyRequest['budget_period'],
    budget_hard: options.soft ? false : undefined,
    rpm: number(options.rpm),
    tpm: number(options.tpm),
    expires_in_days: number(options.expiresInDays),
    tags: tagsOf(options.tag),
  };
}

function describeBudget(key: VirtualKey): string {
  if (!key.budget) return '-';
  return `$${key.budget.limitUsd}/${key.budget.period}${key.budget.hard ? '' : ' soft'}`;
}

const day = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

/** The key table of `frugal keys list`. */
export function formatKeyTable(keys: readonly VirtualKey[], now: number): string {
  const header = ['id', 'name', 'team', 'status', 'models', 'budget', 'rpm', 'tpm', 'expires (UTC)', 'created (UTC)'];
  const rows = keys.map((key) => [
    key.id,
    key.name,
    key.team ?? '-',
    keyStatus(key, now),
    key.allowedModels?.join(',') ?? 'all',
    describeBudget(key),
    key.rateLimits.rpm === null ? '-' : String(key.rateLimits.rpm),
    key.rateLimits.tpm === null ? '-' : String(key.rateLimits.tpm),
    day(key.expiresAt),
    day(key.createdAt),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function withStoreOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'directory of the SQLite ledger that holds the keys (default: the config’s ledger.data_dir, $FRUGAL_DATA_DIR or ./.frugal)')
    .option('--database-url <url>', 'PostgreSQL ledger (default: $DATABASE_URL; prefer the variable, arguments are visible to other users)')
    .option('-c, --config <file>', 'the gateway’s config: use the ledger its ledger: section names (default: $FRUGAL_CONFIG)')
    .option('--json', 'print JSON');
}

/**
 * One clock reading per command, so a new key's expiry is exactly --expires-in-days after its creation. Only
 * `create` may create the ledger: listing, revoking or rotating in the wrong directory must say so, not succeed
 * on an empty store made there.
 */
async function withStore<T>(options: StoreOptions, now: number, work: (store: KeyStore) => Promise<T>, access: 'read' | 'create' = 'read'): Promise<T> {
  const location = await resolveLedgerLocation(options);
  if (access === 'read') requireExistingLedger(location);
  const store = openKeyStore({ now: () => now, ...storeOptionsOf(location) });
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * After a revoke or rotate: running gateways that share a Redis (the config's spend_control or cache Redis) are told
 * at once, as a revoke through /admin/keys tells them; the others notice within their key cache's TTL.
 */
async function tellRunningGateways(options: StoreOptions, id: string): Promise<string> {
  const configPath = options.config ?? (process.env.FRUGAL_CONFIG || undefined);
  if (configPath === undefined) return CACHE_NOTE;
  let where;
  try {
    where = keyInvalidationChannel(await loadCliConfig(configPath));
  } catch {
    return CACHE_NOTE;
  }
  if (where === undefined) return CACHE_NOTE;
  try {
    const heard = await publishKeyInvalidation(where, id);
    return `Told the gateways sharing its Redis at once (${heard} listening).`;
  } catch (error) {
    return `${CACHE_NOTE} (Could not tell them over Redis: ${error instanceof Error ? error.message : String(error)}.)`;
  }
}

function writersOf(command: Command) {
  const output = command.configureOutput();
  return {
    out: output.writeOut ?? ((text: string) => process.stdout.write(text)),
    err: output.writeErr ?? ((text: string) => process.stderr.write(text)),
  };
}

function printIssued(command: Command, options: StoreOptions, verb: string, { key, plaintext }: IssuedKey, note = '') {
  const { out, err } = writersOf(command);
  if (options.json) {
    out(`${JSON.stringify({ ...toKeyJson(key, Date.now()), key: plaintext }, null, 2)}\n`);
    err(`${SHOWN_ONCE}\n`);
    return;
  }
  const team = key.team === null ? '' : ` (team ${key.team})`;
  out(`${verb} virtual key ${key.id} "${key.name}"${team}\n\n  ${plaintext}\n\n${SHOWN_ONCE}\n${note}`);
}

/**
 * `frugal keys create|list|revoke|rotate`: manages virtual keys in the ledger's database, with the same
 * defaults as `frugal report` ($DATABASE_URL, else SQLite in $FRUGAL_DATA_DIR or ./.frugal).
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('Create, list, revoke and rotate virtual keys (stored hashed beside the ledger).');

  withStoreOptions(
    keys
      .command('create')
      .description('Create a key; its plaintext is printed once.')
      .requiredOption('--name <name>', 'what the key is for')
      .option('--team <team>', 'team the key belongs to (its spend is reported and budgeted per team)')
      .option('--models <list>', 'comma-separated models or routes the key may call (default: all)')
      .option('--budget-usd <amount>', 'spend limit per period, USD (e.g. 50 or 12.75)')
      .addOption(new Option('--period <period>', 'budget period (default: month)').choices(BUDGET_PERIODS))
      .option('--soft', 'a soft budget: alert when spent, do not refuse calls')
      .option('--rpm <n>', 'requests per minute')
      .option('--tpm <n>', 'tokens per minute')
      .option('--expires-in-days <days>', 'expire after this many days')
      .option('--tag <name=value>', 'tag added to every request made with the key (repeatable)', collectTag, []),
  ).action(async (options: CreateOptions, command: Command) => {
    const now = Date.now();
    let input;
    try {
      input = parseCreateKeyRequest(requestOf(options), now);
    } catch (error) {
      throw inFlagTerms(error);
    }
    const issued = await withStore(options, now, (store) => store.create(input), 'create');
    printIssued(command, options, 'Created', issued);
  });

  withStoreOptions(
    keys.command('list').description('List keys (no secrets: they are not stored).').option('--all', 'include revoked keys'),
  ).action(async (options: StoreOptions & { all?: boolean }, command: Command) => {
    const now = Date.now();
    const list = await withStore(options, now, (store) => store.list({ includeRevoked: options.all === true }));
    const { out } = writersOf(command);
    if (options.json) out(`${JSON.stringify({ object: 'list', data: list.map((key) => toKeyJson(key, now)) }, null, 2)}\n`);
    else out(list.length === 0 ? 'No virtual keys: the gateway is open to anyone who can reach it.\n' : `${formatKeyTable(list, now)}\n`);
  });

  withStoreOptions(keys.command('revoke').description('Revoke a key for good.').argument('<id>', 'key id (vk_…)')).action(
    async (id: string, options: StoreOptions, command: Command) => {
      const key = await withStore(options, Date.now(), (store) => store.revoke(id));
      const told = await tellRunningGateways(options, key.id);
      const { out } = writersOf(command);
      if (options.json) out(`${JSON.stringify(toKeyJson(key, Date.now()), null, 2)}\n`);
      else out(`Revoked virtual key ${key.id} "${key.name}" at ${new Date(key.revokedAt ?? 0).toISOString()}. ${told}\n`);
    },
  );

  withStoreOptions(keys.command('rotate').description('Issue a new plaintext for a key; the old one stops working.').argument('<id>', 'key id (vk_…)')).action(
    async (id: string, options: StoreOptions, command: Command) => {
      const issued = await withStore(options, Date.now(), (store) => store.rotate(id));
      const told = await tellRunningGateways(options, issued.key.id);
      printIssued(command, options, 'Rotated', issued, `The previous plaintext no longer works. ${told}\n`);
    },
  );
}
