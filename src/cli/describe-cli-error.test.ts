import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { describeCliError, describeCliErrorForDebugging } from './describe-cli-error.js';
import { loadCliConfig } from './load-cli-config.js';

async function thrownBy(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('describeCliError', () => {
  it('prints a FrugalError as one line, without its stack', () => {
    const line = describeCliError(new FrugalError('invalid_request', '--folds must be an integer ≥ 2, got "x"'));
    expect(line).toBe('frugal: --folds must be an integer ≥ 2, got "x"');
  });

  it('turns a missing file into its path and the directory a relative path starts from', async () => {
    const error = await thrownBy(() => readFile('no-such-routing-file.jsonl'));
    expect(describeCliError(error)).toBe(`frugal: no-such-routing-file.jsonl: no such file or directory (relative to ${process.cwd()})`);
  });

  it('says what to do when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const second = createServer();
    const error = await new Promise<unknown>((resolve) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    taken.close();
    expect(describeCliError(error)).toBe(`frugal: 127.0.0.1:${port} is already in use: stop what listens there or pick another --port`);
  });

  it('keeps the first line of a multi-line message and points an unexpected error at --debug', () => {
    expect(describeCliError(new TypeError('cannot read x\n  at some frame\n  at another'))).toBe('frugal: cannot read x (run again with --debug for the stack trace)');
    expect(describeCliError(new AggregateError([Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 1 })], ''))).toBe(
      'frugal: 127.0.0.1:1 refused the connection: is it running, and are the host and port right?',
    );
  });

  it('gives --debug the stack and the causes', () => {
    const cause = new Error('disk full');
    const text = describeCliErrorForDebugging(new FrugalError('internal_error', 'ledger write failed', { cause }));
    expect(text).toMatch(/^FrugalError: ledger write failed\n\s+at /);
    expect(text).toContain('caused by:\nError: disk full\n');
  });
});

describe('loadCliConfig', () => {
  it('names the config file in a validation error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-cli-config-'));
    try {
      const path = join(dir, 'frugal.yaml');
      await writeFile(path, 'server:\n  port: not-a-port\n');
      const error = await thrownBy(() => loadCliConfig(path, { env: {} }));
      expect(error).toMatchObject({ code: 'config_invalid' });
      expect((error as FrugalError).message).toMatch(new RegExp(`^Invalid config ${path}: server\\.port: `));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
