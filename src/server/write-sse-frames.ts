import type { ServerResponse } from 'node:http';

/** Formatted server-sent-event text: one event or several. */
export type SseFrame = string;

export interface SseWriteOptions {
  status?: number;
  /**
   * Written after the last frame when the source ends normally (`data: [DONE]` for chat completions), or made then
   * (Anthropic's closing events carry the final usage); one that throws ends the stream with the error frame.
   */
  trailer?: string | (() => string);
  /** The frame a failure after the headers went out becomes: the status can no longer change. */
  errorFrame(error: unknown): string;
}

/**
 * The one SSE writer every door uses (chat completions, Responses events, Anthropic Messages events): honours
 * back-pressure, stops reading (which cancels the upstream) as soon as the client is gone, and ends a failed
 * stream with the door's error event, never a clean end.
 *
 * Everything written in one turn of the event loop leaves in one socket write: the socket is corked on the first
 * write of a turn (the headers included) and uncorked once the turn's microtasks have run, i.e. once every frame
 * one upstream read yields has come through every stage. A short answer that arrives in one read (headers,
 * frames and the end) is one write instead of three or more: each write is a system call, and waking the client
 * for each was the largest single cost of a stream. Nothing waits for more input: time to first token is never
 * delayed.
 */
export async function writeSseFrames(raw: ServerResponse, headers: Record<string, string>, frames: AsyncIterable<SseFrame>, options: SseWriteOptions): Promise<void> {
  await writeSseItems(raw, headers, frames, asFrame, options);
}

const asFrame = (frame: SseFrame) => frame;

/**
 * {@link writeSseFrames} for a stream of items that `frameOf` formats as they are written: a door that only formats
 * needs no async generator layer of its own between the stages and the socket (several promise turns per chunk).
 */
export async function writeSseItems<T>(raw: ServerResponse, headers: Record<string, string>, items: AsyncIterable<T>, frameOf: (item: T) => SseFrame, options: SseWriteOptions): Promise<void> {
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  const cork = () => {
    if (corked) return;
    corked = true;
    raw.cork();
    // Through a microtask: called from a plain callback, a bare nextTick would run before the microtasks that
    // carry this turn's frames.
    queueMicrotask(() => process.nextTick(uncork));
  };
  cork();
  raw.writeHead(options.status ?? 200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  try {
    for await (const item of items) {
      if (raw.destroyed) break;
      const frame = frameOf(item);
      if (frame === '') continue;
      cork();
      if (!raw.write(frame)) await drainedOrClosed(raw);
    }
    if (!raw.destroyed) raw.end(typeof options.trailer === 'function' ? options.trailer() : options.trailer);
  } catch (error) {
    if (!raw.destroyed) raw.end(options.errorFrame(error));
  }
}

/**
 * Resolves when the client has taken what was buffered, or is gone; every listener is removed either way. (Racing
 * two `events.once` left the loser's listeners behind: one 'close' and two 'error' listeners per wait, piling up on
 * a long stream to a slow client.)
 */
export function drainedOrClosed(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
    raw.on('error', done);
  });
}
