import type { ServerResponse } from 'node:http';
import { toOpenAIError } from '../../errors/to-openai-error.js';
import { formatSseData } from '../../wire/sse/write-sse.js';
import { writeSseItems, type SseFrame } from '../write-sse-frames.js';

/**
 * Writes named server-sent events (`event: <type>` then `data: <json>`), as the Responses API streams. The source
 * ends itself with its terminal event; an error escaping it is a bug on our side and leaves as an `error` event
 * numbered after the last one sent, never as a clean end.
 */
export async function writeSseEvents(raw: ServerResponse, headers: Record<string, string>, events: AsyncIterable<readonly SseEvent[]>) {
  const sent = { sequence: 0 };
  // Each step's events (one upstream chunk's worth) as one frame, formatted as written (no generator layer).
  const frameOf = (step: readonly SseEvent[]): SseFrame => {
    let text = '';
    for (const event of step) {
      sent.sequence = (event.sequence_number ?? sent.sequence) + 1;
      text += formatSseData(JSON.stringify(event), event.type);
    }
    return text;
  };
  await writeSseItems(raw, headers, events, frameOf, {
    errorFrame: (error) => {
      const { error: body } = toOpenAIError(error).body;
      return formatSseData(JSON.stringify({ type: 'error', code: body.code, message: body.message, param: body.param, sequence_number: sent.sequence }), 'error');
    },
  });
}

type SseEvent = { type: string; sequence_number?: number };
