import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import { describeCliError, describeCliErrorForDebugging } from './describe-cli-error.js';

type Register = (program: Command) => void;

/**
 * Every command, loaded only when it runs: `frugal serve` then never imports the offline tools (evaluators,
 * simulator, trainers), which keeps a serving gateway's memory and start-up small.
 */
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  serve: async () => [(await import('./serve-command.js')).registerServeCommand],
  models: async () => {
    const [{ registerModelsCommand }, { registerModelsImportCommand }] = await Promise.all([import('./models-command.js'), import('./models-import-command.js')]);
    return [(program) => {
      registerModelsCommand(program);
      registerModelsImportCommand(program.commands.find((command) => command.name() === 'models')!);
    }];
  },
  simulate: async () => [(await import('./simulate-command.js')).registerSimulateCommand],
  eval: async () => [(await import('./eval-command.js')).registerEvalCommand],
  report: async () => [(await import('./report-command.js')).registerReportCommand],
  review: async () => [(await import('./review-command.js')).registerReviewCommand],
  export: async () => [(await import('./export-command.js')).registerExportCommand],
  router: async () => [(await import('./router-command.js')).registerRouterCommand],
  keys: async () => [(await import('./keys-command.js')).registerKeysCommand],
  cache: async () => [(await import('./cache-command.js')).registerCacheCommand],
  compress: async () => [(await import('./compress-command.js')).registerCompressCommand],
  reload: async () => [(await import('./reload-command.js')).registerReloadCommand],
  dashboard: async () => [(await import('./dashboard-command.js')).registerDashboardCommand],
  ledger: async () => [(await import('./ledger-command.js')).registerLedgerCommand, (await import('./ledger-rollup-command.js')).registerLedgerRollupCommand],
  config: async () => [(await import('./config-command.js')).registerConfigCommand],
};

/** Read once, when the program is built: the one place the version lives is package.json (two levels up from src/cli and dist/cli). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Each command's usage errors end with where its help is, instead of the whole help text. */
function hintHelp(command: Command, path: string): void {
  command.showHelpAfterError(`(run '${path} --help' for usage)`);
  for (const sub of command.commands) hintHelp(sub, `${path} ${sub.name()}`);
}

/**
 * The program with the given commands registered: `only` is the command being run; undefined registers all of
 * them (help, unknown commands with suggestions), null none (`frugal --version`).
 */
export async function buildProgram(only?: string | null): Promise<Command> {
  const program = new Command()
    .name('frugal')
    .description('Frugal: an OpenAI-compatible LLM gateway that makes every answer cost as little as it can.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .option('--debug', 'on an error, print its stack trace too')
    // Usage errors are thrown instead of exiting, so main() can exit 2 like every other input problem (README "Errors").
    // Set before the commands are registered: each command (and subcommand) inherits it.
    .exitOverride();
  const names = only === null ? [] : only !== undefined && COMMANDS[only] ? [only] : Object.keys(COMMANDS);
  for (const name of names) for (const register of await COMMANDS[name]()) register(program);
  hintHelp(program, 'frugal');
  return program;
}

const PROGRAM_FLAGS = new Set(['-v', '--version', '-h', '--help', '--debug']);

/**
 * Runs the CLI. An error that ends a command is one line on stderr with what to do (`--debug`, or
 * FRUGAL_DEBUG=1, adds the stack); FrugalErrors and usage errors (the user's to fix) exit 2, anything else 1.
 */
export async function main(argv: string[]) {
  const args = argv.slice(2);
  const debug = args.includes('--debug') || process.env.FRUGAL_DEBUG === '1';
  // Program flags take no value, so the first other word is the command.
  const command = args.find((arg) => !PROGRAM_FLAGS.has(arg));
  const versionOnly = command === undefined && (args.includes('-v') || args.includes('--version'));
  try {
    const program = await buildProgram(versionOnly ? null : command);
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has printed its message (or the help, or the version) already: only the exit code is left to say.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    process.stderr.write(`${describeCliError(error)}\n`);
    if (debug) process.stderr.write(`${describeCliErrorForDebugging(error)}\n`);
    process.exit(error instanceof FrugalError ? 2 : 1);
  }
}
