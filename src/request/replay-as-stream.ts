import { responseToChunks } from '../wire/replay/response-to-chunks.js';
import type { ChatChunk } from '../wire/chat-types.js';
import type { ChatOutcome, RequestContext } from './request-context.js';

/** Serves a buffered answer to a client that asked for a stream: a valid OpenAI chunk sequence. */
export function replayAsStream(context: RequestContext, outcome: ChatOutcome): ChatOutcome {
  if (outcome.kind === 'stream' || context.request.stream !== true) return outcome;
  const { meta } = outcome;
  const chunks = responseToChunks(outcome.response, { includeUsage: context.request.stream_options?.include_usage === true });
  async function* replay(): AsyncGenerator<ChatChunk> {
    for (const chunk of chunks) {
      if (meta.ttftMs === null) meta.ttftMs = performance.now() - context.startedHr;
      yield chunk;
    }
    meta.streamCompleted = true;
  }
  return { kind: 'stream', chunks: replay(), meta };
}
