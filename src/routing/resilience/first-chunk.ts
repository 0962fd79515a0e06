import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk } from '../../providers/chat-types.js';
import type { ChatOutcome } from '../../pipeline/request-context.js';

/**
 * Waits for a stream's first chunk before anything reaches the client, so a stream that fails (or stalls
 * past `timeoutMs`) before its first byte can still fail over. Returns the same stream with that chunk put back.
 */
export async function withFirstChunk(outcome: ChatOutcome, timeoutMs: number | undefined, abort: () => void): Promise<ChatOutcome> {
  if (outcome.kind !== 'stream') return outcome;
  const iterator = outcome.chunks[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  let first: IteratorResult<ChatChunk>;
  try {
    const next = iterator.next();
    if (timeoutMs === undefined) {
      first = await next;
    } else {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FrugalError('upstream_timeout', `No first token within ${timeoutMs} ms.`, { retryable: true, upstreamCode: 'first_token_timeout' })), timeoutMs);
      });
      first = await Promise.race([next, timeout]);
    }
  } catch (error) {
    abort();
    await iterator.return?.().catch(() => undefined);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
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
