import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real `frugal` binary as a child process, run from the TypeScript sources like src/testing/serve-child.ts
 * does. Each start costs a second or two, so every child this file needs is started at once, in beforeAll.
 */

const BIN = fileURLToPath(new URL('../../bin/frugal.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only PATH and HOME: the developer's FRUGAL_* and DATABASE_URL must not decide where a command looks. */
function frugal(args: string[], cwd: string): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FRUGAL_FROM_SOURCE: '1' };
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data) => (stdout += data));
  child.stderr.on('data', (data) => (stderr += data));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const STRONG = 'strong-model';
const WEAK = 'weak-model';

/** Enough prompts that training takes a while (the progress reporter's delay passes), learnable from words. */
function routingFile(rows: number): string {
  const lines: string[] = [];
  for (let index = 0; index < rows; index += 1) {
    const hard = index % 4 === 0;
    const prompt = hard ? `Prove the theorem about lattice ${index} and explain each step` : `Name a colour of fruit ${index}`;
    lines.push(JSON.stringify({ id: `row.${index}`, prompt, outcomes: { [STRONG]: 1, [WEAK]: hard ? 0 : 1 } }));
  }
  return `${lines.join('\n')}\n`;
}

let empty: string;
let work: string;
const runs: Record<string, Run> = {};

beforeAll(async () => {
  empty = await realpath(await mkdtemp(join(tmpdir(), 'frugal-cli-empty-')));
  work = await realpath(await mkdtemp(join(tmpdir(), 'frugal-cli-work-')));
  await writeFile(join(work, 'routing.jsonl'), routingFile(3_000));
  await writeFile(join(work, 'routes.yaml'), 'routes:\n  support: { strategy: cascade, tiers: [qwen3-8b, ghost] }\n');
  const started = {
    version: frugal(['--version'], work),
    v: frugal(['-v'], work),
    report: frugal(['report', '--by', 'model'], empty),
    reportDebug: frugal(['report', '--by', 'model', '--debug'], empty),
    missingFile: frugal(['router', 'eval', '--data', 'missing.jsonl'], work),
    unknown: frugal(['reprot'], work),
    unknownFlag: frugal(['serve', '--prot', '4000'], work),
    badPort: frugal(['serve', '--port', 'abc'], empty),
    routeToNothing: frugal(['serve', '--config', 'routes.yaml', '--port', '0'], work),
    check: frugal(['config', 'check', 'routes.yaml'], work),
    evalPiped: frugal(['router', 'eval', '--data', 'routing.jsonl', '--folds', '2', '--strong', STRONG, '--weak', WEAK], work),
  };
  for (const [name, run] of Object.entries(started)) runs[name] = await run;
}, 120_000);

afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('frugal (the CLI as a child process)', () => {
  it('prints the package version for --version and -v', async () => {
    const { version } = JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    for (const run of [runs.version, runs.v]) expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('refuses `report` where there is no ledger: one line naming where it looked and how to point it, nothing created', async () => {
    const { code, stdout, stderr } = runs.report;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`frugal: no ledger at ${join(empty, '.frugal', 'ledger.sqlite')}`);
    for (const way of ['--data-dir', '--config', 'DATABASE_URL']) expect(stderr).toContain(way);
    expect(await readdir(empty)).toEqual([]);
  });

  it('shows the stack only with --debug', () => {
    expect(runs.report.stderr).not.toMatch(/^\s+at /m);
    const lines = runs.reportDebug.stderr.trimEnd().split('\n');
    expect(runs.reportDebug.code).toBe(2);
    expect(lines[0]).toBe(runs.report.stderr.trimEnd());
    expect(lines[1]).toMatch(/^FrugalError: no ledger at /);
    expect(lines.some((line) => /^\s+at requireExistingLedger /.test(line))).toBe(true);
  });

  it('turns an unexpected error into one line with what to check, exit code 1', () => {
    expect(runs.missingFile).toEqual({ code: 1, stdout: '', stderr: `frugal: missing.jsonl: no such file or directory (relative to ${work})\n` });
  });

  it('answers an unknown command with commander’s message, a suggestion and where help is, exit code 2', () => {
    expect(runs.unknown.code).toBe(2);
    expect(runs.unknown.stderr).toBe("error: unknown command 'reprot'\n(Did you mean report?)\n(run 'frugal --help' for usage)\n");
  });

  it('exits 2 on an unknown flag, as on any other problem with the input', () => {
    expect(runs.unknownFlag).toEqual({ code: 2, stdout: '', stderr: "error: unknown option '--prot'\n(Did you mean --port?)\n(run 'frugal serve --help' for usage)\n" });
  });

  it('refuses a --port that is not a port before opening anything', async () => {
    expect(runs.badPort).toEqual({ code: 2, stdout: '', stderr: "frugal: --port must be a whole number from 0 to 65535 (got 'abc')\n" });
    expect(await readdir(empty)).toEqual([]);
  });

  it('names the file when serve and config check refuse a route to an unknown model', () => {
    const line = "frugal: Invalid config routes.yaml: routes.support.tiers[1]: no model or route named 'ghost' is defined; models are defined under models:, or come from the built-in catalog when their provider is configured (frugal models lists them)\n";
    expect(runs.routeToNothing).toMatchObject({ code: 2, stderr: line });
    expect(runs.check).toEqual({ code: 2, stdout: '', stderr: line });
  });

  it('draws no progress when stderr is not a terminal, and never on stdout', () => {
    const { code, stdout, stderr } = runs.evalPiped;
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('3000 prompts; strong strong-model');
    expect(stdout).toContain('| linear (2-fold CV) |');
    expect(stdout).not.toContain('\r');
    expect(stdout).not.toContain('ETA');
  });
});
