import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { ChatChunk } from '../wire/chat-types.js';
import { formatSseData, SSE_DONE } from '../wire/sse/write-sse.js';

/**
 * Writes chunks as OpenAI's SSE stream, honouring back-pressure. An error after the headers went out can
 * no longer change the status, so it ends the stream with an OpenAI-shaped error event, as OpenAI does.
 * Stops reading (which cancels upstream) as soon as the client is gone.
 *
 * Chunks that arrive together (one upstream read yields several events) leave in one socket write: the socket
 * is corked on the first write of a tick and uncorked on the next tick, which runs after the whole burst of
 * chunks was handed over. Chunks up to the first token are written at once, so time to first token is not delayed.
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
  // Until the first token is out, every chunk leaves at once: batching must never delay time to first token.
  let firstTokenSent = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  const write = (text: string): boolean => {
    if (!corked && firstTokenSent) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    return raw.write(text);
  };
  try {
    for await (const chunk of chunks) {
      if (raw.destroyed) break;
      const ok = write(formatSseData(JSON.stringify(chunk)));
      if (!firstTokenSent && carriesOutput(chunk)) firstTokenSent = true;
      if (!ok) {
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

function carriesOutput(chunk: ChatChunk): boolean {
  for (const choice of chunk.choices) {
    if (choice.delta?.content || choice.delta?.tool_calls || choice.finish_reason) return true;
  }
  return false;
}
