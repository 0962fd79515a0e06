import { fork, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { freePort } from '../../src/testing/serve-child.js';

/** Where a load generator sends chat requests, and the headers that make that endpoint proxy to the mock. */
export interface Endpoint {
  /** floor: a bare Node pass-through proxy, the least any Node gateway hop costs. */
  name: 'direct' | 'frugal' | 'frugal-spool' | 'portkey' | 'floor';
  url: string;
  headers: Record<string, string>;
  /** The process serving `url`, for RSS and profiles. */
  pid: number;
}

export type LedgerMode = 'sqlite' | 'off';

/** What a gateway logged at warn level or above during the run: a gateway logging per request is a finding. */
export interface LogTally {
  lines: number;
  /** First few distinct messages. */
  samples: string[];
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

/** Every child still running, so a crash or Ctrl-C can stop them by PID; temp dirs to remove then too. */
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function track(child: ChildProcess, name: string, stderrTail: string[]): ChildProcess {
  running.add(child);
  child.stderr?.on('data', (data: Buffer) => {
    stderrTail.push(data.toString());
    if (stderrTail.length > 20) stderrTail.shift();
  });
  child.once('exit', () => running.delete(child));
  child.once('error', (error) => stderrTail.push(`${name}: ${error.message}`));
  return child;
}

/** Polls `url` until it answers 200; fails early, with the child's stderr, if the child dies. */
async function waitUntilReady(name: string, url: string, child: ChildProcess, stderrTail: string[], timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start-up (${child.exitCode ?? child.signalCode}):\n${stderrTail.join('').slice(-2000)}`);
    }
    try {
      const response = await request(url, { headersTimeout: 1000, bodyTimeout: 1000 });
      await response.body.dump();
      if (response.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms:\n${stderrTail.join('').slice(-2000)}`);
}

/** Forks a TS entry that reports `{ port }` over IPC once it listens. */
async function forkListening(name: string, entry: string, args: string[]): Promise<{ port: number; pid: number }> {
  const stderrTail: string[] = [];
  const child = track(fork(join(HERE, entry), args, { execArgv: ['--import', 'tsx'], cwd: REPO, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }), name, stderrTail);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${stderrTail.join('')}`)), READY_TIMEOUT_MS);
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${stderrTail.join('')}`));
    });
  });
  return { port, pid: child.pid ?? -1 };
}

/** The mock OpenAI upstream in its own process (own event loop, own core when one is free). */
export async function startMockUpstream(): Promise<Endpoint> {
  const { port, pid } = await forkListening('mock', 'mock-upstream-process.ts', []);
  return { name: 'direct', url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, pid };
}

/** The floor: a bare pass-through proxy in front of the mock, in its own process like the gateways. */
export async function startBareProxy(mock: Endpoint): Promise<Endpoint> {
  const { port, pid } = await forkListening('floor', 'bare-proxy-process.ts', [mock.url]);
  return { name: 'floor', url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { 'content-type': 'application/json' }, pid };
}

/** `spool`: the same SQLite ledger with `durability: spool` (every reply waits for its row's fsync). */
function frugalConfig(mockPort: number, ledger: LedgerMode, dataDir: string, spool: boolean, workers = 1): string {
  return [
    ...(workers > 1 ? [`server: { workers: ${workers} }`] : []),
    `providers: { mock: { kind: openai, base_url: "http://127.0.0.1:${mockPort}/v1", api_key: x } }`,
    'models: [{ name: gpt-4o-mini, provider: mock, price: { input: 0.15, output: 0.6 } }]',
    ledger === 'sqlite' ? `ledger: { data_dir: "${dataDir}"${spool ? ', durability: spool' : ''} }` : 'ledger: { enabled: false }',
    'logging: { level: warn }',
    '',
  ].join('\n');
}

/**
 * Frugal exactly as a user runs it (`frugal serve --config`), ledger on SQLite in a temp dir by default.
 * `extraNodeArgs` lets a profile run add `--cpu-prof`.
 */
function tallyLogLines(child: ChildProcess): LogTally {
  const tally: LogTally = { lines: 0, samples: [] };
  let partial = '';
  child.stdout?.on('data', (data: Buffer) => {
    const lines = (partial + data.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      tally.lines += 1;
      let message = line;
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        message = [entry.msg, entry.err?.message].filter(Boolean).join(': ');
      } catch {
        // not pino JSON: keep the raw line
      }
      if (tally.samples.length < 3 && !tally.samples.includes(message)) tally.samples.push(message.slice(0, 300));
    }
  });
  return tally;
}

/** `repo`: the checkout to run (another one for a before/after run: run-before-after.ts). */
export async function startFrugal(mock: Endpoint, ledger: LedgerMode, extraNodeArgs: string[] = [], spool = false, workers = 1, repo = REPO): Promise<Endpoint & { dataDir: string; logs: LogTally }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-bench-'));
  tempDirs.add(dataDir);
  const configPath = join(dataDir, 'frugal.yaml');
  await writeFile(configPath, frugalConfig(Number(new URL(mock.url).port), ledger, join(dataDir, 'ledger'), spool, workers));
  const port = await freePort();
  const stderrTail: string[] = [];
  const child = track(
    spawn(process.execPath, [...extraNodeArgs, 'bin/frugal.mjs', 'serve', '--config', configPath, '--port', String(port), '--host', '127.0.0.1'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    }),
    spool ? 'frugal-spool' : 'frugal',
    stderrTail,
  );
  const logs = tallyLogLines(child);
  const base = `http://127.0.0.1:${port}`;
  // Run from the sources (FRUGAL_FROM_SOURCE=1) or as a primary and workers that each load the gateway, start-up
  // takes longer on a busy machine: wait longer before calling it failed.
  await waitUntilReady('frugal', `${base}/healthz`, child, stderrTail, 3 * READY_TIMEOUT_MS);
  // Start-up notes (an open gateway, demo mode) are expected; only what it logs under load is a finding.
  logs.lines = 0;
  logs.samples.length = 0;
  return { name: spool ? 'frugal-spool' : 'frugal', url: `${base}/v1/chat/completions`, headers: { 'content-type': 'application/json' }, pid: child.pid ?? -1, dataDir, logs };
}

/**
 * Portkey's Node build, pointed at the mock through its custom-host header. Its UI and log-stream routes are
 * left out (`--headless`); a preload binds it to 127.0.0.1 since it has no host option.
 */
export async function startPortkey(mock: Endpoint): Promise<Endpoint> {
  const port = await freePort();
  const stderrTail: string[] = [];
  const child = track(
    spawn(
      process.execPath,
      ['--import', join(HERE, 'listen-on-loopback.mjs'), 'node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${port}`, '--headless'],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
    ),
    'portkey',
    stderrTail,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady('portkey', `${base}/`, child, stderrTail);
  return {
    name: 'portkey',
    url: `${base}/v1/chat/completions`,
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer x',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': new URL('/v1', mock.url).href,
    },
    pid: child.pid ?? -1,
  };
}

/** SIGTERM every child by PID, SIGKILL whatever is still there after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
          const timer = setTimeout(() => {
            if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
            resolve();
          }, graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          process.kill(child.pid, 'SIGTERM');
        }),
    ),
  );
}

/** Children die with the benchmark: on normal exit, Ctrl-C, SIGTERM or a crash. */
export function stopChildrenOnExit() {
  process.once('exit', () => {
    for (const child of running) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping child processes\n`);
      void stopAll(1000).finally(() => process.exit(130));
    });
  }
}

export async function removeDataDir(dataDir: string) {
  await rm(dataDir, { recursive: true, force: true });
  tempDirs.delete(dataDir);
}
