import type { OnProgress, Progress } from '../lab/progress.js';

/** Where progress is drawn: process.stderr, or a test's stand-in. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressReporter {
  /** Pass to a lab function as its `onProgress`. */
  readonly onProgress: OnProgress;
  /** Clears the line (call before printing the result, also after a failure). */
  finish(): void;
}

export interface ProgressReporterOptions {
  /** The command ("router eval"), shown before the stage. */
  label: string;
  /** Redraw at most this often: a replay of a million requests must not spend its time drawing. */
  intervalMs?: number;
  /** Draw nothing before this much time has passed: a job that ends within it needs no bar. */
  delayMs?: number;
  now?: () => number;
}

const SILENT: ProgressReporter = { onProgress: () => {}, finish() {} };

/** 12345 → "12 345": thin-space grouping reads the same in every locale. */
function count(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Seconds left → "37s", "4m05s", "1h02m". */
export function formatEta(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One line of progress — stage, bar, percentage, count and time left — redrawn in place with `\r` on a terminal.
 * Anything else (a pipe, a file, CI logs) gets nothing, so `frugal router eval --json > out.json` stays clean and
 * logs are not filled with carriage returns. The estimate is the stage's own rate so far; a new stage starts over.
 *
 * @example
 * const progress = progressReporter(process.stderr, { label: 'router eval' });
 * try { evaluatePairRouters(dataset, { routers, onProgress: progress.onProgress }); } finally { progress.finish(); }
 */
export function progressReporter(stream: ProgressStream, options: ProgressReporterOptions): ProgressReporter {
  if (!stream.isTTY) return SILENT;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const delayMs = options.delayMs ?? 500;
  let stage: string | undefined;
  let stageStartedAt = startedAt;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;

  const line = (progress: Progress, at: number): string => {
    const share = progress.total > 0 ? Math.min(1, Math.max(0, progress.done / progress.total)) : 0;
    const elapsed = (at - stageStartedAt) / 1000;
    // Before a second has passed (or with nothing done) the rate is noise: no estimate rather than a wild one.
    const eta = progress.done > 0 && elapsed >= 1 && share < 1 ? `ETA ${formatEta((elapsed * (progress.total - progress.done)) / progress.done)}` : share >= 1 ? 'done' : 'ETA …';
    // Fixed widths (the count padded to the total's, the estimate to its longest) keep the line from jittering.
    const total = count(progress.total);
    const tail = ` ${String(Math.floor(share * 100)).padStart(3)}%  ${count(progress.done).padStart(total.length)}/${total}${progress.unit ? ` ${progress.unit}` : ''}  ${eta.padEnd(10)}`;
    const columns = stream.columns || 80;
    const room = columns - 1 - tail.length - 4;
    // The bar gets what is left after the text, 10 to 30 cells. When the line is too long the command's name goes
    // first (the user just typed it), then the end of the stage.
    const labelled = `${options.label}: ${progress.stage}`;
    let head = labelled.length + 10 <= room ? labelled : progress.stage;
    const width = Math.max(10, Math.min(30, room - head.length));
    if (head.length > room - width) head = `${head.slice(0, Math.max(0, room - width - 1))}…`;
    const filled = Math.floor(share * width);
    return `\r${head} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}\x1b[K`;
  };

  return {
    onProgress(progress) {
      const at = now();
      if (progress.stage !== stage) {
        stage = progress.stage;
        stageStartedAt = at;
        lastDraw = Number.NEGATIVE_INFINITY;
      }
      if (at - startedAt < delayMs) return;
      if (at - lastDraw < intervalMs && progress.done < progress.total) return;
      lastDraw = at;
      stream.write(line(progress, at));
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/**
 * The reporter a command uses: none under --json (a machine is reading; keep stderr for errors) or when stderr is
 * not a terminal (the reporter itself checks that).
 */
export function commandProgress(label: string, options: { json?: boolean }, stream: ProgressStream = process.stderr): ProgressReporter {
  return options.json ? SILENT : progressReporter(stream, { label });
}
