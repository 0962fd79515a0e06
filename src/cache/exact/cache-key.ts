import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../providers/chat-types.js';
import { canonicalJson } from './canonical-json.js';
import { answerChangingParams, canonicalMessages } from './canonical-request.js';

export interface ExactCacheKeyOptions {
  /** Whose cache this is: a virtual key id, a team id, or 'shared'. Entries never cross scopes. */
  scope: string;
  /** Fold the case of message text (opt-in: "US" and "us" may be different questions). */
  caseFold?: boolean;
}

/** Bumped whenever the normalisation changes, so old entries stop matching instead of matching wrongly. */
const KEY_VERSION = 'frugal-exact-v1';

/**
 * The exact-match cache key of a chat request: SHA-256 (hex) over the scope, the requested model or route,
 * the normalised messages and every answer-changing parameter. Streaming, user and metadata are left out,
 * so a streamed and a plain request for the same answer share one entry.
 *
 * @example
 * const key = exactCacheKey(request, { scope: `key:${keyId}` });
 */
export function exactCacheKey(request: ChatRequest, options: ExactCacheKeyOptions): string {
  const canonical = canonicalJson({
    version: KEY_VERSION,
    scope: options.scope,
    caseFold: options.caseFold === true,
    model: request.model,
    messages: canonicalMessages(request.messages, { caseFold: options.caseFold }),
    params: answerChangingParams(request),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
