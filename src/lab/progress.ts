/**
 * How far a long offline job has got. Lab code only calls the callback; the CLI decides whether anything is drawn
 * (a bar on a terminal's stderr, nothing under --json or when piped), so results never depend on it.
 */
export interface Progress {
  /** What is running now ("training the linear router, 5-fold CV"); a new stage restarts the estimate. */
  stage: string;
  done: number;
  total: number;
  /** What is counted ("prompts", "pairs"); omitted when the count means nothing to a reader. */
  unit?: string;
}

export type OnProgress = (progress: Progress) => void;

/** A job's own count (done of total), reported as one part of a bigger stage. */
export type OnStep = (done: number, total: number) => void;

/**
 * One stage made of jobs run one after another (the folds of a cross-validation), reported as a single count:
 * job `index` adds its own `done` to what the earlier jobs finished. `sizes` are the jobs' totals, known up front.
 *
 * @example
 * const step = stageOfJobs(onProgress, 'training', [800, 800], 'examples');
 * train(first, { onStep: step(0) }); train(second, { onStep: step(1) }); // 0…1600 of 1600
 */
export function stageOfJobs(onProgress: OnProgress | undefined, stage: string, sizes: readonly number[], unit?: string): (index: number) => OnStep | undefined {
  if (onProgress === undefined) return () => undefined;
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return (index) => {
    let before = 0;
    for (let job = 0; job < index; job += 1) before += sizes[job];
    return (done) => onProgress({ stage, done: before + Math.min(done, sizes[index]), total, unit });
  };
}

/** Maps items one by one, reporting after each (a synchronous loop still gets its bar drawn: stderr writes to a TTY are synchronous). */
export function mapWithProgress<T, R>(items: readonly T[], map: (item: T, index: number) => R, onProgress: OnProgress | undefined, stage: string, unit?: string): R[] {
  if (onProgress === undefined) return items.map(map);
  const out: R[] = [];
  onProgress({ stage, done: 0, total: items.length, unit });
  for (let index = 0; index < items.length; index += 1) {
    out.push(map(items[index], index));
    onProgress({ stage, done: index + 1, total: items.length, unit });
  }
  return out;
}
