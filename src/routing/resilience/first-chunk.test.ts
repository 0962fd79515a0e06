import { describe, expect, it } from 'vitest';
import type { CallMeta, ChatOutcome } from '../../request/request-context.js';
import type { ChatChunk } from '../../wire/chat-types.js';
import { discardOutcome, withFirstChunk } from './first-chunk.js';

const chunk = (content: string): ChatChunk => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

/** A stand-in for an upstream stream: says when its `finally` (where Frugal prices a stream) has run. */
function upstreamStream(log: string[]): ChatOutcome {
  async function* chunks(): AsyncGenerator<ChatChunk> {
    try {
      yield chunk('one');
      yield chunk('two');
    } finally {
      log.push('closed');
    }
  }
  return { kind: 'stream', chunks: chunks(), meta: {} as CallMeta };
}

describe('withFirstChunk', () => {
  it('closes the stream below when a held stream is discarded unread (a hedge that lost with its first token in hand)', async () => {
    const log: string[] = [];
    const held = await withFirstChunk(upstreamStream(log), () => undefined);
    await discardOutcome(held);
    expect(log).toEqual(['closed']);
  });

  it('replays the held chunk, then the rest, and closes once', async () => {
    const log: string[] = [];
    const held = await withFirstChunk(upstreamStream(log), () => undefined);
    const seen: string[] = [];
    for await (const part of held.kind === 'stream' ? held.chunks : []) seen.push(String(part.choices[0].delta?.content));
    await discardOutcome(held);
    expect(seen).toEqual(['one', 'two']);
    expect(log).toEqual(['closed']);
  });
});
