/** How a stream ended: `completed` (read to its end), failed (`error`), or neither (its reader stopped early). */
export interface StreamEnding {
  completed: boolean;
  error: unknown;
}

/** What {@link tapStream} does with a stream's items and its end. */
export interface StreamTap<T> {
  /** Each item as it is read: what to pass on in its place, or undefined to drop it. */
  each?(item: T): T | undefined;
  /** Once, when the stream ends; a read waits for it (the inner stream's own end comes first). */
  end(ending: StreamEnding): void | Promise<void>;
  /** What a failed read throws instead of the inner error (the drain's shutdown error for an aborted call). */
  mapError?(error: unknown): unknown;
}

const ABANDONED: StreamEnding = { completed: false, error: undefined };
const COMPLETED: StreamEnding = { completed: true, error: undefined };

/**
 * `source`'s items, seen (and possibly replaced or dropped) by `tap.each`, with `tap.end` run once when the stream
 * ends: completed, failed, or abandoned by its reader (`return()`, also before the first read). Every stage that
 * watches a stream (prices it, times it, writes its ledger row, releases a hold) wraps with this instead of an async
 * generator around `for await`: a generator layer costs several promise turns per chunk, and a generator returned
 * before its first `next()` never runs its `finally`.
 *
 * @example
 * return { ...outcome, chunks: tapStream(outcome.chunks, { each: (chunk) => count(chunk), end: () => spend.finish() }) };
 */
export function tapStream<T>(source: AsyncIterable<T>, tap: StreamTap<T>): AsyncIterableIterator<T> {
  let inner: AsyncIterator<T> | undefined;
  let ended = false;
  const finish = async (ending: StreamEnding) => {
    if (ended) return;
    ended = true;
    await tap.end(ending);
  };
  const fail = async (error: unknown): Promise<never> => {
    await finish({ completed: false, error });
    throw tap.mapError ? tap.mapError(error) : error;
  };
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (ended) return { done: true, value: undefined };
      inner ??= source[Symbol.asyncIterator]();
      for (;;) {
        let result: IteratorResult<T>;
        try {
          result = await inner.next();
        } catch (error) {
          return fail(error);
        }
        if (result.done) {
          await finish(COMPLETED);
          return result;
        }
        if (tap.each === undefined) return result;
        let item: T | undefined;
        try {
          item = tap.each(result.value);
        } catch (error) {
          // Our own failure: the source is still open, and is closed first, as a generator's for-await would.
          await Promise.resolve(inner.return?.()).catch(() => undefined);
          return fail(error);
        }
        if (item !== undefined) return { done: false, value: item };
      }
    },
    async return(value?: unknown) {
      try {
        if (!ended) await (inner ?? source[Symbol.asyncIterator]()).return?.(value);
      } finally {
        await finish(ABANDONED);
      }
      return { done: true, value: undefined };
    },
  };
  return iterator;
}

/**
 * `source`'s items, with `end` run once when the stream ends, however it ends ({@link tapStream} for a stage that
 * only needs to know when a stream is over: release a hold, write the ledger row, unpin a config).
 *
 * @example
 * return { ...outcome, chunks: onStreamEnd(outcome.chunks, () => spend.finish()) };
 */
export function onStreamEnd<T>(source: AsyncIterable<T>, end: () => void | Promise<void>, mapError?: (error: unknown) => unknown): AsyncIterableIterator<T> {
  return tapStream(source, { end, mapError });
}
