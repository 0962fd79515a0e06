import type { ChatChunk } from '../../wire/chat-types.js';
import type { ChatOutcome } from '../../request/request-context.js';

/**
 * Waits for a stream's first chunk before anything reaches the client, so a stream that fails before its
 * first byte can still fail over (the caller's deadline aborts a stall). Returns the same stream with that
 * chunk put back.
 */
export async function withFirstChunk(outcome: ChatOutcome, abort: () => void): Promise<ChatOutcome> {
  if (outcome.kind !== 'stream') return outcome;
  const iterator = outcome.chunks[Symbol.asyncIterator]();
  let first: IteratorResult<ChatChunk>;
  try {
    first = await iterator.next();
  } catch (error) {
    abort();
    await iterator.return?.().catch(() => undefined);
    throw error;
  }
  return { ...outcome, chunks: replayed(first, iterator) };
}

/**
 * The held first chunk, then the rest. Not a generator: closing a generator that was never read skips its
 * `finally`, so a hedge that lost with its first chunk in hand left the upstream stream open and unpriced, its
 * latency slot taken and a half-open probe never released. `return()` here always reaches the stream below.
 */
function replayed(first: IteratorResult<ChatChunk>, iterator: AsyncIterator<ChatChunk>): AsyncIterable<ChatChunk> {
  let held: IteratorResult<ChatChunk> | undefined = first;
  let closed = false;
  const self: AsyncIterableIterator<ChatChunk> = {
    [Symbol.asyncIterator]: () => self,
    async next() {
      if (held !== undefined) {
        const result = held;
        held = undefined;
        if (result.done) closed = true;
        return result;
      }
      if (closed) return { done: true, value: undefined };
      const result = await iterator.next();
      if (result.done) closed = true;
      return result;
    },
    async return(value?: unknown) {
      held = undefined;
      if (closed) return { done: true, value: undefined };
      closed = true;
      await iterator.return?.(value);
      return { done: true, value: undefined };
    },
  };
  return self;
}

/** Closes a stream nobody will read (a hedge that lost), so its finally blocks record what it spent. */
export async function discardOutcome(outcome: ChatOutcome): Promise<void> {
  if (outcome.kind !== 'stream') return;
  await outcome.chunks[Symbol.asyncIterator]().return?.(undefined);
}
