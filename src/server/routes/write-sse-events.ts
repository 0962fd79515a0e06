import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { toOpenAIError } from '../../errors/to-openai-error.js';
import { formatSseData } from '../../wire/sse/write-sse.js';

/**
 * Writes named server-sent events (`event: <type>` then `data: <json>`), as the Responses API streams,
 * honouring back-pressure. Stops pulling as soon as the client is gone, which closes the source (and the
 * upstream call behind it). The source ends itself with its terminal event; an error escaping it is a bug
 * on our side and leaves as an `error` event, never as a clean end.
 */
export async function writeSseEvents(raw: ServerResponse, headers: Record<string, string>, events: AsyncIterable<{ type: string; sequence_number?: number }>) {
  raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  let sequence = 0;
  try {
    for await (const event of events) {
      if (raw.destroyed) break;
      sequence = (event.sequence_number ?? sequence) + 1;
      if (!raw.write(formatSseData(JSON.stringify(event), event.type))) {
        await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
      }
    }
  } catch (error) {
    if (!raw.destroyed) {
      const { error: body } = toOpenAIError(error).body;
      raw.write(formatSseData(JSON.stringify({ type: 'error', code: body.code, message: body.message, param: body.param, sequence_number: sequence }), 'error'));
    }
  }
  if (!raw.destroyed) raw.end();
}
