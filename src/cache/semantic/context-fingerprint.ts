import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../wire/chat-types.js';
import { canonicalJson } from '../exact/canonical-json.js';
import { answerChangingParams, canonicalMessages, normaliseText } from '../exact/canonical-request.js';

export interface ContextFingerprintOptions {
  /** Whose cache this is (virtual key, team or 'shared'); part of the fingerprint. */
  scope: string;
  /** The embedder's id: vectors from different embedders never share a bucket. */
  embedderId: string;
  caseFold?: boolean;
  /** What the requested name is served by (`cacheTarget`): a reload that changes it changes the bucket. */
  target?: string;
}

export interface SemanticKey {
  /** SHA-256 (hex) of everything but the last user turn: the bucket a lookup may match within. */
  fingerprint: string;
  /** The last user turn's text, normalised: what gets embedded and compared. */
  query: string;
}

const FINGERPRINT_VERSION = 'frugal-semantic-context-v2';

/**
 * Splits a request into what must match exactly (the context) and what may match by similarity (the
 * last user turn). The context is the system prompt, every earlier turn, the model or route, every
 * answer-changing parameter, the tenant scope and the embedder — so "the same question in another
 * conversation" lands in another bucket and can never be a hit, and neither can one from another tenant.
 *
 * Returns undefined when the request has no last user turn of plain text (it ends with a tool result or
 * an assistant prefill, or the turn carries an image): such requests are only cached exactly.
 */
export function contextFingerprint(request: ChatRequest, options: ContextFingerprintOptions): SemanticKey | undefined {
  const last = request.messages.at(-1);
  if (last === undefined || last.role !== 'user') return undefined;
  const query = plainText(last.content);
  if (query === undefined) return undefined;
  const normalisedQuery = normaliseText(query, { caseFold: options.caseFold });
  if (normalisedQuery === '') return undefined;
  const { content: _content, ...lastTurnFields } = last;
  const canonical = canonicalJson({
    version: FINGERPRINT_VERSION,
    scope: options.scope,
    embedderId: options.embedderId,
    caseFold: options.caseFold === true,
    model: request.model,
    target: options.target,
    context: canonicalMessages(request.messages.slice(0, -1), { caseFold: options.caseFold }),
    // The last turn's other fields (a `name`, say) are context too.
    lastTurn: lastTurnFields,
    params: answerChangingParams(request),
  });
  return { fingerprint: createHash('sha256').update(canonical).digest('hex'), query: normalisedQuery };
}

function plainText(content: ChatRequest['messages'][number]['content']): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || content.length === 0) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    if (part.type !== 'text' || typeof part.text !== 'string') return undefined;
    texts.push(part.text);
  }
  return texts.join('\n');
}
