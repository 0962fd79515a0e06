/** One server-sent event. `event` is undefined when the stream sent none (OpenAI's style). */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Bounds on what one stream may make the parser hold or do; passing one throws `tooLarge(what)`. */
export interface SseLimits {
  /** Bytes of the whole stream (which also bounds one event's buffer). */
  maxBytes: number;
  maxEvents: number;
  tooLarge: (what: 'bytes' | 'events') => Error;
}

const NO_EVENTS: readonly SseEvent[] = Object.freeze([]);

/**
 * Turns the pieces of a byte stream of server-sent events into events (the WHATWG rules that matter for LLM APIs:
 * `event:` and `data:` fields, multi-line data, comments, CRLF or LF line ends, events split across pieces). The one
 * SSE parser of the project: every provider adapter uses it, through {@link parseSse} or, on a hot path, directly
 * inside its own read loop (an async generator layer between the socket and the adapter costs several promise
 * turns per event).
 *
 * @example
 * const decoder = new SseDecoder(limits);
 * for await (const piece of body) for (const event of decoder.push(piece)) handle(event);
 * for (const event of decoder.end()) handle(event);
 */
export class SseDecoder {
  readonly #decoder = new TextDecoder();
  readonly #limits: SseLimits | undefined;
  #buffer = '';
  #eventName: string | undefined;
  #data: string[] = [];
  #bytes = 0;
  #events = 0;

  constructor(limits?: SseLimits) {
    this.#limits = limits;
  }

  /** The events this piece completes (often none, often several). Throws past a limit. */
  push(piece: Uint8Array | string): readonly SseEvent[] {
    const limits = this.#limits;
    if (limits) {
      this.#bytes += piece.length;
      if (this.#bytes > limits.maxBytes) throw limits.tooLarge('bytes');
    }
    const buffer = this.#buffer + (typeof piece === 'string' ? piece : this.#decoder.decode(piece, { stream: true }));
    let out: SseEvent[] | undefined;
    let start = 0;
    let lineEnd: number;
    // One index walks the buffer; the rest is kept once, not re-sliced after every line.
    while ((lineEnd = buffer.indexOf('\n', start)) !== -1) {
      const end = lineEnd > start && buffer.charCodeAt(lineEnd - 1) === 13 /* '\r' */ ? lineEnd - 1 : lineEnd;
      const event = this.#line(buffer.slice(start, end));
      start = lineEnd + 1;
      if (event) (out ??= []).push(event);
    }
    this.#buffer = start === 0 ? buffer : buffer.slice(start);
    return out ?? NO_EVENTS;
  }

  /** What the stream's end completes: a last event whose blank line never came. */
  end(): readonly SseEvent[] {
    const buffer = this.#buffer + this.#decoder.decode();
    this.#buffer = '';
    // A stream cut without the final blank line still delivers its last complete event.
    if (buffer.length > 0 && buffer.startsWith('data:')) this.#data.push(buffer.slice(5).trimStart());
    const event = this.#dispatch();
    return event ? [event] : NO_EVENTS;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#eventName = value;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const data = this.#data;
    const event = data.length === 0 ? undefined : { event: this.#eventName, data: data.length === 1 ? data[0] : data.join('\n') };
    if (event && this.#limits && ++this.#events > this.#limits.maxEvents) throw this.#limits.tooLarge('events');
    this.#eventName = undefined;
    if (data.length > 0) this.#data = [];
    return event;
  }
}

/** Every event of `body`, as an async iterable (see {@link SseDecoder} for the rules). */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>, limits?: SseLimits): AsyncGenerator<SseEvent> {
  const decoder = new SseDecoder(limits);
  for await (const piece of body) for (const event of decoder.push(piece)) yield event;
  for (const event of decoder.end()) yield event;
}
