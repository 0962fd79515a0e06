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

/**
 * Parses a byte stream of server-sent events (the WHATWG rules that matter for LLM APIs: `event:` and
 * `data:` fields, multi-line data, comments, CRLF or LF line ends, events split across chunks).
 * The one SSE parser of the project: every provider adapter uses it.
 */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>, limits?: SseLimits): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let eventName: string | undefined;
  let data: string[] = [];
  let bytes = 0;
  let events = 0;
  for await (const piece of body) {
    if (limits) {
      bytes += piece.length;
      if (bytes > limits.maxBytes) throw limits.tooLarge('bytes');
    }
    buffer += typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    let lineEnd: number;
    while ((lineEnd = buffer.indexOf('\n')) !== -1) {
      let line = buffer.slice(0, lineEnd);
      buffer = buffer.slice(lineEnd + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (data.length > 0) {
          if (limits && ++events > limits.maxEvents) throw limits.tooLarge('events');
          yield { event: eventName, data: data.join('\n') };
        }
        eventName = undefined;
        data = [];
        continue;
      }
      if (line.charCodeAt(0) === 58 /* ':' comment */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') eventName = value;
    }
  }
  buffer += decoder.decode();
  // A stream cut without the final blank line still delivers its last complete event.
  if (buffer.length > 0 && buffer.startsWith('data:')) data.push(buffer.slice(5).trimStart());
  if (data.length > 0) yield { event: eventName, data: data.join('\n') };
}
