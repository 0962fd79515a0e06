/**
 * The upstream's own JSON text of a non-streamed answer, kept beside the parsed object so the edge can send those
 * bytes instead of serialising the object again (Fastify's JSON.stringify of every answer was ~2.4 % of a proxied
 * request's CPU in bench:overhead's profile). Keyed by the object in a WeakMap, as a chunk's text is
 * (chunk-wire-text.ts). Kept only when `server.cost_in_body` is off (with it on, every answer gets `usage.cost`, so
 * none goes out as it came). An answer is changed in place in a few other places (usage added for the cache, a
 * cascade's cost): each says so with `forgetResponseText`, and an answer without text is serialised as before.
 */
const texts = new WeakMap<object, string>();

/** Remembers `text` as the exact JSON of `response`, as parsed from it. */
export function keepResponseText(response: object, text: string): void {
  texts.set(response, text);
}

/** The upstream's text of `response`, when it is still exactly that; undefined once changed (or never kept). */
export function responseText(response: object): string | undefined {
  return texts.get(response);
}

/** Call before changing `response` in place: it is no longer what the upstream sent. */
export function forgetResponseText(response: object): void {
  texts.delete(response);
}
