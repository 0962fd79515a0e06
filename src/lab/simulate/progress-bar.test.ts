import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress-bar.js';

function terminal(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 40, write: (text: string) => writes.push(text) } };
}

describe('progress bar', () => {
  it('redraws in place at most once per interval, always at the end, and clears its line', () => {
    const { writes, stream } = terminal(true);
    let now = 0;
    const bar = createProgressBar(stream, { label: 'simulating', intervalMs: 100, now: () => now });
    bar.update(1, 4);
    now = 50;
    bar.update(2, 4); // within the interval: not drawn
    now = 100;
    bar.update(3, 4);
    now = 101;
    bar.update(4, 4); // the end is always drawn
    bar.finish();
    // Width: 40 columns − 10 (label) − 8 = 22 cells.
    expect(writes).toEqual([
      `\rsimulating [${'#'.repeat(5)}${'.'.repeat(17)}]  25%`,
      `\rsimulating [${'#'.repeat(16)}${'.'.repeat(6)}]  75%`,
      `\rsimulating [${'#'.repeat(22)}] 100%`,
      '\r\x1b[2K',
    ]);
  });

  it('draws nothing when the output is not a terminal', () => {
    const { writes, stream } = terminal(false);
    const bar = createProgressBar(stream, { label: 'simulating' });
    bar.update(1, 2);
    bar.finish();
    expect(writes).toEqual([]);
  });
});
