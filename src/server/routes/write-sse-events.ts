import type { ServerResponse } from 'node:http';
import { toOpenAIError } from '../../errors/to-openai-error.js';
import { formatSseData } from '../../wire/sse/write-sse.js';
import { writeSseFrames, type SseFrame } from '../write-sse-frames.js';

/**
 * Writes named server-sent events (`event: <type>` then `data: <json>`), as the Responses API streams. The source
 * ends itself with its terminal event; an error escaping it is a bug on our side and leaves as an `error` event
 * numbered after the last one sent, never as a clean end.
 */
export async function writeSseEvents(raw: ServerResponse, headers: Record<string, string>, events: AsyncIterable<readonly SseEvent[]>) {
  const sent = { sequence: 0 };
  await writeSseFrames(raw, headers, eventFrames(events, sent), {
    errorFrame: (error) => {
      const { error: body } = toOpenAIError(error).body;
      return formatSseData(JSON.stringify({ type: 'error', code: body.code, message: body.message, param: body.param, sequence_number: sent.sequence }), 'error');
    },
  });
}

type SseEvent = { type: string; sequence_number?: number };

/** Each step's events (one upstream chunk's worth) as one frame. */
async function* eventFrames(steps: AsyncIterable<readonly SseEvent[]>, sent: { sequence: number }): AsyncGenerator<SseFrame> {
  for await (const events of steps) {
    let text = '';
    for (const event of events) {
      sent.sequence = (event.sequence_number ?? sent.sequence) + 1;
      text += formatSseData(JSON.stringify(event), event.type);
    }
    yield text;
  }
}
