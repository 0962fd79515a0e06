import type { ServerResponse } from 'node:http';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { ChatChunk } from '../wire/chat-types.js';
import { formatSseData, SSE_DONE } from '../wire/sse/write-sse.js';
import { writeSseFrames, type SseFrame } from './write-sse-frames.js';

/** Writes chunks as OpenAI's SSE stream, ending with `data: [DONE]`, or with an OpenAI-shaped error event on failure, as OpenAI does. */
export async function writeSseStream(raw: ServerResponse, status: number, headers: Record<string, string>, chunks: AsyncIterable<ChatChunk>) {
  await writeSseFrames(raw, headers, chatFrames(chunks), { status, trailer: SSE_DONE, errorFrame: (error) => formatSseData(JSON.stringify(toOpenAIError(error).body)) });
}

async function* chatFrames(chunks: AsyncIterable<ChatChunk>): AsyncGenerator<SseFrame> {
  for await (const chunk of chunks) yield { text: formatSseData(JSON.stringify(chunk)), output: carriesOutput(chunk) };
}

function carriesOutput(chunk: ChatChunk): boolean {
  for (const choice of chunk.choices) {
    if (choice.delta?.content || choice.delta?.tool_calls || choice.finish_reason) return true;
  }
  return false;
}
