import { Command } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';

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
  report: async () => [(await import('./report-command.js')).registerReportCommand],
  router: async () => [(await import('./router-command.js')).registerRouterCommand],
  keys: async () => [(await import('./keys-command.js')).registerKeysCommand],
  cache: async () => [(await import('./cache-command.js')).registerCacheCommand],
  compress: async () => [(await import('./compress-command.js')).registerCompressCommand],
};

/** The program with the given commands registered (all of them for help and unknown commands). */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command()
    .name('frugal')
    .description('Frugal: an OpenAI-compatible LLM gateway that makes every answer cost as little as it can.')
    .showHelpAfterError();
  const names = only !== undefined && COMMANDS[only] ? [only] : Object.keys(COMMANDS);
  for (const name of names) for (const register of await COMMANDS[name]()) register(program);
  return program;
}

export async function main(argv: string[]) {
  try {
    const program = await buildProgram(argv[2]);
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof FrugalError) {
      process.stderr.write(`frugal: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
