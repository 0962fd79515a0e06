import type { ServerResponse } from 'node:http';
import { toAnthropicError } from '../errors/to-anthropic-error.js';
import type { MessagesStreamEncoder } from '../wire/anthropic/messages-stream-encoder.js';
import type { AnthropicStreamEvent } from '../wire/anthropic/anthropic-types.js';
import type { ChatChunk } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';
import { formatSseData } from '../wire/sse/write-sse.js';
import { writeSseItems, type SseFrame } from './write-sse-frames.js';

function format(event: AnthropicStreamEvent): string {
  return formatSseData(JSON.stringify(event), event.type);
}

/**
 * Writes chunks as a streamed Messages response (`event: <type>` lines, as Anthropic sends them). A failure after
 * the headers went out becomes an Anthropic `error` event and the stream ends without message_stop, so no client
 * takes a cut answer for a complete one.
 */
export async function writeAnthropicSse(
  raw: ServerResponse,
  headers: Record<string, string>,
  chunks: AsyncIterable<ChatChunk>,
  encoder: MessagesStreamEncoder,
  finalUsage: () => TokenUsage | undefined,
): Promise<void> {
  // Formatted as written (no async generator layer per chunk); the closing events carry the final usage.
  await writeSseItems(raw, headers, chunks, (chunk) => frameOf(encoder.push(chunk)), {
    trailer: () => frameOf(encoder.finish(finalUsage())),
    errorFrame: (error) => formatSseData(JSON.stringify(toAnthropicError(error).body), 'error'),
  });
}

function frameOf(events: AnthropicStreamEvent[]): SseFrame {
  return events.map(format).join('');
}
