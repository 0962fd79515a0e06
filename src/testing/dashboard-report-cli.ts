import { Command } from 'commander';
import { registerReportCommand } from '../cli/report-command.js';
import { registerReviewCommand } from '../cli/review-command.js';

/** Runs `frugal report …` in-process as the CLI would and returns what it printed. */
export async function runReportCli(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerReportCommand(program);
  await program.parseAsync(['report', ...args], { from: 'user' });
  return printed;
}

/** Runs `frugal review …` in-process as the CLI would and returns what it printed. */
export async function runReviewCli(...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerReviewCommand(program);
  await program.parseAsync(['review', ...args], { from: 'user' });
  return printed;
}
