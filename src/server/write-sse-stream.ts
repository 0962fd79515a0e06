import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { ChatChunk } from '../providers/chat-types.js';
import { formatSseData, SSE_DONE } from '../providers/sse/write-sse.js';

/**
 * Writes chunks as OpenAI's SSE stream, honouring back-pressure. An error after the headers went out can
 * no longer change the status, so it ends the stream with an OpenAI-shaped error event, as OpenAI does.
 * Stops reading (which cancels upstream) as soon as the client is gone.
 *
 * Chunks that arrive together (one upstream read yields several events) leave in one socket write: the socket
 * is corked on the first write of a tick and uncorked on the next tick, which runs after the whole burst of
 * chunks was handed over. A lone chunk still leaves at once, so time to first token is not delayed.
 */
export async function writeSseStream(raw: ServerResponse, status: number, headers: Record<string, string>, chunks: AsyncIterable<ChatChunk>) {
  raw.writeHead(status, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  const write = (text: string): boolean => {
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    return raw.write(text);
  };
  try {
    for await (const chunk of chunks) {
      if (raw.destroyed) break;
      if (!write(formatSseData(JSON.stringify(chunk)))) {
        await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
      }
    }
    if (!raw.destroyed) raw.end(SSE_DONE);
  } catch (error) {
    if (!raw.destroyed) {
      write(formatSseData(JSON.stringify(toOpenAIError(error).body)));
      raw.end();
    }
  }
}
