import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A `frugal serve` child process, run from the TypeScript sources (dist/ may be stale while developing). */
export interface ServeChild {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * What `node` runs to serve, from the package root: the Docker image's ENTRYPOINT + CMD are `node` and these
 * words (test/deploy-dockerfile.test.ts holds them equal), so the tests start the gateway the way the image does.
 */
export const SERVE_COMMAND = ['bin/frugal.mjs', 'serve'] as const;

const running = new Set<ChildProcess>();

/** SIGKILLs, by PID, every child a test started and left running (a failed assertion, a timeout). */
export function killLeftovers() {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port available');
  return address.port;
}

/** Writes `config` (YAML) into dataDir and starts `frugal serve` on it; resolves once it listens. */
/** `readyTimeoutMs`: how long start-up may take (a primary and its workers each load the sources: give them longer). */
export async function startServe(dataDir: string, config: string, port?: number, { readyTimeoutMs = 30_000 }: { readyTimeoutMs?: number } = {}): Promise<ServeChild> {
  const configPath = join(dataDir, 'frugal.yaml');
  await writeFile(configPath, config);
  const listenPort = port ?? (await freePort());
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FRUGAL_FROM_SOURCE: '1' };
  const child = spawn(process.execPath, [...SERVE_COMMAND, '--config', configPath, '--port', String(listenPort), '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let output = '';
  child.stdout!.on('data', (data) => (output += data));
  child.stderr!.on('data', (data) => (output += data));
  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes('Frugal listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, port: listenPort, baseUrl: `http://127.0.0.1:${listenPort}`, output: () => output, exited };
}

export interface StoredRow {
  id: string;
  status: string;
  error_code: string | null;
  http_status: number;
}

/** Every row of the SQLite ledger under dataDir, read after the gateway exited. */
export function ledgerRows(dataDir: string): StoredRow[] {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
  try {
    return db.prepare('select id, status, error_code, http_status from frugal_ledger order by seq').all() as StoredRow[];
  } finally {
    db.close();
  }
}

export function chatBody(model: string, stream: boolean): string {
  return JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Tell me something.' }] });
}
