import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteJobQueue } from './sqlite-job-queue.js';

const dir = mkdtempSync(join(tmpdir(), 'frugal-queue-kill-'));
const CHILD = fileURLToPath(new URL('../testing/queue-worker-child.ts', import.meta.url));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded queue after kill -9', () => {
  it('runs again, in another process, the job a killed worker process was running — once', async () => {
    const path = join(dir, 'queue.sqlite');
    const leaseMs = 400;
    const queue = createSqliteJobQueue({ path, leaseMs, pollMs: 20, retryDelayMs: 0 });
    const id = await queue.enqueue('lines', { line: 7 }, { idempotencyKey: 'batch_1:line-7' });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, 'lines', String(leaseMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => resolve(text.trim()));
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    expect(started).toBe(`started ${id} 1`);
    expect(await queue.status(id)).toMatchObject({ state: 'running', attempts: 1 });
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The key still holds while the job waits for its lease: enqueueing it again adds nothing.
    expect(await queue.enqueue('lines', { line: 7 }, { idempotencyKey: 'batch_1:line-7' })).toBe(id);
    const runs: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const worker = await queue.work('lines', { concurrency: 1 }, async (job) => {
      runs.push(job.attempt);
      done();
    });
    await finished;
    await worker.stop();
    expect(runs).toEqual([2]);
    expect(await queue.status(id)).toMatchObject({ state: 'completed', attempts: 2 });
    expect(await queue.depth('lines')).toBe(0);
    await queue.close();
  }, 30_000);
});
