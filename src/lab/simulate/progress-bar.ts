/** Where the bar is drawn: stderr, or a test's stand-in. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Clears the bar's line (call before printing the result). */
  finish(): void;
}

export interface ProgressBarOptions {
  label: string;
  /** Redraw at most this often; a replay of a million requests must not spend its time drawing. */
  intervalMs?: number;
  now?: () => number;
}

const NO_BAR: ProgressBar = { update() {}, finish() {} };

/**
 * A one-line progress bar, redrawn in place with `\r`. Drawn only on a terminal: piped or redirected
 * output gets nothing, so `frugal simulate --json > out.json` stays clean.
 *
 * @example
 * const bar = createProgressBar(process.stderr, { label: 'simulating' });
 * bar.update(512, 2048); // simulating [#####...............]  25%
 */
export function createProgressBar(stream: ProgressStream, options: ProgressBarOptions): ProgressBar {
  if (!stream.isTTY) return NO_BAR;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(done, total) {
      const at = now();
      if (at - lastDraw < intervalMs && done < total) return;
      lastDraw = at;
      const width = Math.max(10, Math.min(40, (stream.columns || 80) - options.label.length - 8));
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.floor(share * width);
      stream.write(`\r${options.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
