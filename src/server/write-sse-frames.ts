import type { ServerResponse } from 'node:http';
import { once } from 'node:events';

/** Formatted server-sent-event text (one event or several), and whether it carries output the client waits for. */
export interface SseFrame {
  text: string;
  output: boolean;
}

export interface SseWriteOptions {
  status?: number;
  /** Written after the last frame when the source ends normally (`data: [DONE]` for chat completions). */
  trailer?: string;
  /** The frame a failure after the headers went out becomes: the status can no longer change. */
  errorFrame(error: unknown): string;
}

/**
 * The one SSE writer every door uses (chat completions, Responses events, Anthropic Messages events): honours
 * back-pressure, stops reading (which cancels the upstream) as soon as the client is gone, and ends a failed
 * stream with the door's error event, never a clean end.
 *
 * Frames that arrive together (one upstream read yields several events) leave in one socket write: after the
 * first output, the socket is corked on the first write of a tick and uncorked on the next tick, which runs after
 * the whole burst was handed over. Frames up to the first output are written at once, so time to first token is
 * never delayed.
 */
export async function writeSseFrames(raw: ServerResponse, headers: Record<string, string>, frames: AsyncIterable<SseFrame>, options: SseWriteOptions): Promise<void> {
  raw.writeHead(options.status ?? 200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  let corked = false;
  let outputSent = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  const write = (text: string): boolean => {
    if (!corked && outputSent) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    return raw.write(text);
  };
  try {
    for await (const frame of frames) {
      if (raw.destroyed) break;
      if (frame.text === '') continue;
      const ok = write(frame.text);
      if (frame.output) outputSent = true;
      if (!ok) await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
    }
    if (!raw.destroyed) raw.end(options.trailer);
  } catch (error) {
    if (!raw.destroyed) raw.end(options.errorFrame(error));
  }
}
