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
  async function* replay(): AsyncGenerator<ChatChunk> {
    try {
      if (first.done) return;
      yield first.value;
      while (true) {
        const result = await iterator.next();
        if (result.done) return;
        yield result.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { ...outcome, chunks: replay() };
}

/** Closes a stream nobody will read (a hedge that lost), so its finally blocks record what it spent. */
export async function discardOutcome(outcome: ChatOutcome): Promise<void> {
  if (outcome.kind !== 'stream') return;
  await outcome.chunks[Symbol.asyncIterator]().return?.(undefined);
}
