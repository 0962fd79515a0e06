import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { toAnthropicError } from '../errors/to-anthropic-error.js';
import type { MessagesStreamEncoder } from '../wire/anthropic/messages-stream-encoder.js';
import type { AnthropicStreamEvent } from '../wire/anthropic/anthropic-types.js';
import type { ChatChunk } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';
import { formatSseData } from '../wire/sse/write-sse.js';

function format(event: AnthropicStreamEvent): string {
  return formatSseData(JSON.stringify(event), event.type);
}

/**
 * Writes chunks as a streamed Messages response (`event: <type>` lines, as Anthropic sends them), honouring
 * back-pressure. A failure after the headers went out becomes an Anthropic `error` event and the stream ends
 * without message_stop, so no client takes a cut answer for a complete one. Stops reading (which cancels the
 * upstream) as soon as the client is gone.
 */
export async function writeAnthropicSse(
  raw: ServerResponse,
  headers: Record<string, string>,
  chunks: AsyncIterable<ChatChunk>,
  encoder: MessagesStreamEncoder,
  finalUsage: () => TokenUsage | undefined,
): Promise<void> {
  raw.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.flushHeaders();
  const write = async (events: AnthropicStreamEvent[]) => {
    if (events.length === 0 || raw.destroyed) return;
    if (!raw.write(events.map(format).join(''))) await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
  };
  try {
    for await (const chunk of chunks) {
      if (raw.destroyed) break;
      await write(encoder.push(chunk));
    }
    if (raw.destroyed) return;
    await write(encoder.finish(finalUsage()));
    raw.end();
  } catch (error) {
    if (raw.destroyed) return;
    raw.end(formatSseData(JSON.stringify(toAnthropicError(error).body), 'error'));
  }
}
