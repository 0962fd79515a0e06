/**
 * `source`'s items, with `end` run once when the stream ends: completed, failed, or abandoned by its reader
 * (`return()`, also before the first read). Every stage that only needs to know when a stream is over (release a
 * hold, write the ledger row, unpin a config) wraps with this instead of an async generator around `yield*`: a
 * generator layer costs several promise turns per chunk, and a generator returned before its first `next()` never
 * runs its `finally`. The inner stream's own end comes first, as a generator's `finally` would see it. `mapError`
 * may replace what a failed read throws (the drain's shutdown error for an aborted call).
 *
 * @example
 * return { ...outcome, chunks: onStreamEnd(outcome.chunks, () => spend.finish()) };
 */
export function onStreamEnd<T>(source: AsyncIterable<T>, end: () => void | Promise<void>, mapError: (error: unknown) => unknown = (error) => error): AsyncIterableIterator<T> {
  let inner: AsyncIterator<T> | undefined;
  let ended = false;
  const finish = async () => {
    if (ended) return;
    ended = true;
    await end();
  };
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (ended) return { done: true, value: undefined };
      inner ??= source[Symbol.asyncIterator]();
      let result: IteratorResult<T>;
      try {
        result = await inner.next();
      } catch (error) {
        await finish();
        throw mapError(error);
      }
      if (result.done) await finish();
      return result;
    },
    async return(value?: unknown) {
      try {
        if (!ended) await (inner ?? source[Symbol.asyncIterator]()).return?.(value);
      } finally {
        await finish();
      }
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
