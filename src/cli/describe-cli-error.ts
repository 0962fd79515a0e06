import { isAbsolute } from 'node:path';
import { FrugalError } from '../errors/frugal-error.js';

/** What Node puts on a failed system call (fs, net). */
interface SystemError extends Error {
  code?: string;
  path?: string;
  address?: string;
  port?: number;
}

const DEBUG_HINT = 'run again with --debug for the stack trace';

/** AggregateError (a refused connection to every address of a host) carries an empty message: use its first error. */
function innermost(error: unknown): unknown {
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) return error.errors[0];
  return error;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

function systemMessage(error: SystemError): string | undefined {
  const where = error.address === undefined ? '' : `${error.address}${error.port === undefined ? '' : `:${error.port}`}`;
  switch (error.code) {
    case 'ENOENT':
      if (error.path === undefined) return undefined;
      return `${error.path}: no such file or directory${isAbsolute(error.path) ? '' : ` (relative to ${process.cwd()})`}`;
    case 'EACCES':
    case 'EPERM':
      return error.path === undefined ? `permission denied${where ? ` on ${where}` : ''}` : `${error.path}: permission denied`;
    case 'EISDIR':
      return `${error.path ?? 'the path'} is a directory: expected a file`;
    case 'EADDRINUSE':
      return `${where || 'the address'} is already in use: stop what listens there or pick another --port`;
    case 'EADDRNOTAVAIL':
      return `${where || 'the address'} is not an address of this machine: check --host`;
    case 'ECONNREFUSED':
      return `${where || 'the server'} refused the connection: is it running, and are the host and port right?`;
    case 'ENOTFOUND':
      return `cannot resolve the host ${(error as { hostname?: string }).hostname ?? ''}: check the URL`.trimEnd();
    default:
      return undefined;
  }
}

/**
 * The one line `frugal` prints for an error that ends a command: what went wrong and what to do, no stack.
 * FrugalErrors are written for the user already; system errors get a hint; anything else is unexpected, so the
 * line says how to see the stack. Multi-line messages (a YAML parser's code frame) keep their first line.
 *
 * @example
 * describeCliError(new FrugalError('invalid_request', '--folds must be an integer ≥ 2, got "x"')); // 'frugal: --folds must …'
 */
export function describeCliError(thrown: unknown): string {
  const error = innermost(thrown);
  if (error instanceof FrugalError) return `frugal: ${firstLine(error.message)}`;
  if (error instanceof Error) {
    const known = systemMessage(error as SystemError);
    if (known !== undefined) return `frugal: ${known}`;
    const message = firstLine(error.message) || error.name;
    return `frugal: ${message} (${DEBUG_HINT})`;
  }
  return `frugal: ${String(error)} (${DEBUG_HINT})`;
}

/** The stack for --debug, causes included: the line alone hides where a bug is. */
export function describeCliErrorForDebugging(thrown: unknown): string {
  const parts: string[] = [];
  let current: unknown = thrown;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
