import { Command } from 'commander';
import { FrugalError } from '../errors/frugal-error.js';
import { registerModelsCommand } from './models-command.js';
import { registerModelsImportCommand } from './models-import-command.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerReportCommand } from './report-command.js';
import { registerKeysCommand } from './keys-command.js';
import { registerCacheCommand } from './cache-command.js';
import { registerCompressCommand } from './compress-command.js';
import { registerRouterCommand } from './router-command.js';
import { registerServeCommand } from './serve-command.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('frugal')
    .description('Frugal: an OpenAI-compatible LLM gateway that makes every answer cost as little as it can.')
    .showHelpAfterError();
  registerServeCommand(program);
  registerModelsCommand(program);
  registerModelsImportCommand(program.commands.find((command) => command.name() === 'models')!);
  registerSimulateCommand(program);
  registerReportCommand(program);
  registerRouterCommand(program);
  registerKeysCommand(program);
  registerCacheCommand(program);
  registerCompressCommand(program);
  return program;
}

export async function main(argv: string[]) {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof FrugalError) {
      process.stderr.write(`frugal: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
