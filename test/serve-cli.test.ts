import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `frugal serve` as a user would, with a clean environment: no keys, no config, no services. */
async function startServe(dataDir: string, port: number) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FRUGAL_DATA_DIR: dataDir, FRUGAL_PORT: String(port) };
  const child = spawn(process.execPath, ['bin/frugal.mjs', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (data) => (output += data));
  child.stderr!.on('data', (data) => (output += data));
  const deadline = Date.now() + 20_000;
  while (!output.includes('Frugal listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output };
}

describe('npm start on a fresh machine', () => {
  it('serves demo mode with no keys, says so, and flushes the ledger on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-serve-'));
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const { child, output } = await startServe(dataDir, port);
    expect(output()).toContain('DEMO MODE');
    const client = new OpenAI({ apiKey: 'none', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    expect(data.choices[0].message.content).toMatch(/^\[simulated\]/);
    expect(response.headers.get('x-frugal-simulated')).toBe('true');
    const cost = response.headers.get('x-frugal-cost-usd');
    expect(Number(cost)).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    const rows = db.prepare('select requested_model, cost_nanos, status from frugal_ledger').all() as Array<{ requested_model: string; cost_nanos: number; status: string }>;
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ requested_model: 'gpt-4o-mini', status: 'ok' });
    expect(Number(rows[0].cost_nanos) / 1e9).toBeCloseTo(Number(cost), 12);
  });
});
