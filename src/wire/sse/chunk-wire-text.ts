/**
 * The upstream's own JSON text of a streamed chunk, kept beside the parsed object so the SSE writer can forward
 * those bytes instead of a `JSON.stringify` per chunk (with the garbage that makes, about a tenth of a stream's
 * CPU). Keyed by the object itself in a WeakMap: a stage that changes a chunk makes a new object (a spread copy
 * carries no text), so only an untouched chunk is ever written as its upstream text. Chunks are never mutated
 * after the adapter yields them — copy, then change.
 *
 * Only single-line text is kept: an event whose data spanned several `data:` lines must be re-serialised, or the
 * newline would end the line early on the client's side.
 */
const wireTexts = new WeakMap<object, string>();

/** Remembers `text` as the exact JSON of `chunk`, when it fits on one SSE line. */
export function keepWireText(chunk: object, text: string): void {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) wireTexts.set(chunk, text);
}

/** The chunk's JSON: the upstream's bytes when the chunk is the one parsed from them, else serialised. */
export function chunkJson(chunk: object): string {
  return wireTexts.get(chunk) ?? JSON.stringify(chunk);
}
