import { describe, expect, it } from 'vitest';
import { createBackgroundJobs } from './background-jobs.js';

/** A job that runs until released or aborted, counting how many run at once. */
function gate() {
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const job = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      running += 1;
      peak = Math.max(peak, running);
      const done = (error?: unknown) => {
        running -= 1;
        if (error) reject(error);
        else resolve();
      };
      releases.push(() => done());
      signal.addEventListener('abort', () => done(signal.reason), { once: true });
    });
  return { job, releases, peak: () => peak, running: () => running };
}

describe('background jobs', () => {
  it('runs at most `concurrency` at once and refuses jobs beyond `limit` waiting', async () => {
    const jobs = createBackgroundJobs({ concurrency: 2, limit: 3, timeoutMs: 60_000 });
    const { job, releases, peak } = gate();
    const accepted = Array.from({ length: 7 }, () => jobs.submit(job));
    await new Promise((resolve) => setImmediate(resolve));
    // Two start at once, three wait; the last two find the queue full.
    expect(accepted).toEqual([true, true, true, true, true, false, false]);
    expect(jobs.size()).toBe(5);
    while (releases.length > 0 || jobs.size() > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await jobs.idle();
    expect(peak()).toBe(2);
    await jobs.close();
  });

  it('aborts running jobs on close and drops waiting ones', async () => {
    const errors: unknown[] = [];
    const jobs = createBackgroundJobs({ concurrency: 1, limit: 10, timeoutMs: 60_000, onError: (error) => errors.push(error) });
    const { job, running } = gate();
    jobs.submit(job);
    jobs.submit(job);
    await new Promise((resolve) => setImmediate(resolve));
    expect(running()).toBe(1);
    await jobs.close();
    expect(running()).toBe(0);
    expect(errors).toHaveLength(1);
    expect(jobs.submit(job)).toBe(false);
  });

  it('times a hung job out', async () => {
    const errors: unknown[] = [];
    const jobs = createBackgroundJobs({ concurrency: 1, limit: 1, timeoutMs: 20, onError: (error) => errors.push(error) });
    jobs.submit(gate().job);
    await jobs.idle();
    expect(errors).toEqual([expect.objectContaining({ name: 'TimeoutError' })]);
  });
});
