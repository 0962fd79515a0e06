import type { ServerResponse } from 'node:http';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { ChatChunk } from '../wire/chat-types.js';
import { chunkJson } from '../wire/sse/chunk-wire-text.js';
import { formatSseData, SSE_DONE } from '../wire/sse/write-sse.js';
import { writeSseItems, type SseFrame } from './write-sse-frames.js';

/** Writes chunks as OpenAI's SSE stream, ending with `data: [DONE]`, or with an OpenAI-shaped error event on failure, as OpenAI does. */
export async function writeSseStream(raw: ServerResponse, status: number, headers: Record<string, string>, chunks: AsyncIterable<ChatChunk>) {
  await writeSseItems(raw, headers, chunks, chatFrame, { status, trailer: SSE_DONE, errorFrame: (error) => formatSseData(JSON.stringify(toOpenAIError(error).body)) });
}

/** An untouched upstream chunk leaves as the upstream's own bytes (see chunk-wire-text.ts). */
function chatFrame(chunk: ChatChunk): SseFrame {
  return formatSseData(chunkJson(chunk));
}
