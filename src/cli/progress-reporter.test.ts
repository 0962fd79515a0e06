import { describe, expect, it } from 'vitest';
import { commandProgress, formatEta, progressReporter } from './progress-reporter.js';

/** A stand-in for process.stderr: records what was written. */
function fakeStream(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

describe('progress reporter', () => {
  it('draws stage, bar, percentage, count and ETA in place, at most once per interval, and clears its line', () => {
    const { writes, stream } = fakeStream(true, 100);
    let now = 0;
    const progress = progressReporter(stream, { label: 'router eval', intervalMs: 100, delayMs: 0, now: () => now });
    progress.onProgress({ stage: 'features', done: 0, total: 14_037, unit: 'prompts' });
    now = 50;
    progress.onProgress({ stage: 'features', done: 100, total: 14_037, unit: 'prompts' }); // within the interval
    now = 2_000;
    progress.onProgress({ stage: 'features', done: 3_509, total: 14_037, unit: 'prompts' });
    now = 2_001;
    progress.onProgress({ stage: 'features', done: 14_037, total: 14_037, unit: 'prompts' }); // the end is always drawn
    progress.finish();
    expect(writes).toHaveLength(4);
    // The count is padded to the total's width and the estimate to 10 characters, so the line never jitters.
    expect(writes[0]).toMatch(/^\rrouter eval: features \[\.+\]   0%       0\/14 037 prompts  ETA …     \x1b\[K$/);
    // 3 509 of 14 037 in 2 s: 10 528 left at 1 754.5 a second → 6.0006 s, rounded up.
    expect(writes[1]).toMatch(/^\rrouter eval: features \[#+\.+\]  24%   3 509\/14 037 prompts  ETA 7s    \x1b\[K$/);
    expect(writes[2]).toMatch(/^\rrouter eval: features \[#+\] 100%  14 037\/14 037 prompts  done      \x1b\[K$/);
    expect(new Set(writes.slice(0, 3).map((line) => line.length)).size).toBe(1);
    expect(writes[3]).toBe('\r\x1b[2K');
    for (const line of writes.slice(0, 3)) expect(line.replace('\x1b[K', '').length - 1).toBeLessThan(100);
  });

  it('starts the estimate over when the stage changes', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const progress = progressReporter(stream, { label: 'router train', delayMs: 0, now: () => now });
    progress.onProgress({ stage: 'features', done: 0, total: 20 });
    now = 10_000;
    progress.onProgress({ stage: 'features', done: 10, total: 20 });
    now = 10_001;
    progress.onProgress({ stage: 'training', done: 10, total: 20 });
    expect(writes[1]).toContain('ETA 10s');
    // The training stage is 1 ms old: too early to estimate.
    expect(writes[2]).toContain('router train: training [');
    expect(writes[2]).toContain('ETA …');
  });

  it('draws nothing for a job that ends within the delay', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const progress = progressReporter(stream, { label: 'cache eval', delayMs: 500, now: () => now });
    progress.onProgress({ stage: 'pairs', done: 1, total: 2 });
    now = 400;
    progress.onProgress({ stage: 'pairs', done: 2, total: 2 });
    progress.finish();
    expect(writes).toEqual([]);
  });

  it('drops the command name, then shortens the stage, never the numbers, on a narrow terminal', () => {
    const shown = (columns: number, stage: string) => {
      const { writes, stream } = fakeStream(true, columns);
      progressReporter(stream, { label: 'router eval', delayMs: 0, now: () => 0 }).onProgress({ stage, done: 5, total: 10, unit: 'requests' });
      return writes[0].replace('\r', '').replace('\x1b[K', '');
    };
    expect(shown(100, 'linear router, 5-fold CV')).toMatch(/^router eval: linear router, 5-fold CV \[/);
    expect(shown(80, 'linear router, 5-fold CV')).toMatch(/^linear router, 5-fold CV \[/);
    const narrow = shown(60, 'replaying the request log through the candidate routes');
    expect(narrow.length).toBeLessThan(60);
    expect(narrow).toMatch(/^replaying t[^[]*… \[/);
    expect(narrow).toContain(' 5/10 requests');
  });

  it('draws nothing when the stream is not a terminal, and nothing under --json even on one', () => {
    const piped = fakeStream(false);
    const bar = progressReporter(piped.stream, { label: 'simulate', delayMs: 0 });
    bar.onProgress({ stage: 'replay', done: 1, total: 2 });
    bar.finish();
    expect(piped.writes).toEqual([]);

    const terminal = fakeStream(true);
    const json = commandProgress('simulate', { json: true }, terminal.stream);
    json.onProgress({ stage: 'replay', done: 2, total: 2 });
    json.finish();
    expect(terminal.writes).toEqual([]);
    const text = commandProgress('simulate', {}, terminal.stream);
    expect(text).not.toBe(json);
  });

  it('formats time left as seconds, minutes or hours', () => {
    expect(formatEta(0.2)).toBe('1s');
    expect(formatEta(59)).toBe('59s');
    expect(formatEta(245)).toBe('4m05s');
    expect(formatEta(3720)).toBe('1h02m');
  });
});
