import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../wire/chat-types.js';
import { canonicalJson } from './canonical-json.js';
import { answerChangingParams, canonicalMessages, messageTexts, type CanonicalText } from './canonical-request.js';
import { normalisedTextDigest, normalisedTextDigestInChunks } from './text-digest.js';

export interface ExactCacheKeyOptions {
  /** Whose cache this is: a virtual key id, a team id, or 'shared'. Entries never cross scopes. */
  scope: string;
  /** Fold the case of message text (opt-in: "US" and "us" may be different questions). */
  caseFold?: boolean;
  /** What the requested name is served by (`cacheTarget`): a reload that changes it changes the key. */
  target?: string;
}

/**
 * Bumped whenever the normalisation changes, so old entries stop matching instead of matching wrongly.
 * v2: message texts enter the key as the SHA-256 of their normalised text, so a long prompt is hashed once,
 * in chunks, instead of JSON-escaped and copied whole.
 * v3: the target (what serves the requested name) is part of the key.
 */
const KEY_VERSION = 'frugal-exact-v3';

/**
 * The exact-match cache key of a chat request: SHA-256 (hex) over the scope, the requested model or route,
 * the normalised messages and every answer-changing parameter. Streaming, user and metadata are left out,
 * so a streamed and a plain request for the same answer share one entry.
 *
 * @example
 * const key = exactCacheKey(request, { scope: `key:${keyId}` });
 */
export function exactCacheKey(request: ChatRequest, options: ExactCacheKeyOptions): string {
  return keyOf(request, options, (text) => normalisedTextDigest(text, { caseFold: options.caseFold }));
}

/**
 * The same key as `exactCacheKey`, with long message texts normalised and hashed a chunk at a time, giving the
 * event loop its turn in between, so one huge prompt does not stall every other request. The request path uses it.
 */
export async function exactCacheKeyInChunks(request: ChatRequest, options: ExactCacheKeyOptions): Promise<string> {
  const digests = new Map<string, string>();
  for (const text of messageTexts(request.messages)) {
    if (!digests.has(text)) digests.set(text, await normalisedTextDigestInChunks(text, { caseFold: options.caseFold }));
  }
  return keyOf(request, options, (text) => digests.get(text) ?? normalisedTextDigest(text, { caseFold: options.caseFold }));
}

function keyOf(request: ChatRequest, options: ExactCacheKeyOptions, text: CanonicalText): string {
  const canonical = canonicalJson({
    version: KEY_VERSION,
    scope: options.scope,
    caseFold: options.caseFold === true,
    model: request.model,
    target: options.target,
    messages: canonicalMessages(request.messages, { caseFold: options.caseFold }, text),
    params: answerChangingParams(request),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
