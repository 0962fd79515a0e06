import { createHash } from 'node:crypto';
import type { ChatMessage } from '../wire/chat-types.js';
import { contentText } from '../tokens/count-tokens.js';

/**
 * The request's leading `length` characters of prompt text (system prompt and earlier turns come first),
 * or undefined when the prompt is shorter: short prompts gain nothing from a server's prefix cache.
 */
export function promptPrefix(messages: readonly ChatMessage[], length: number): string | undefined {
  let text = '';
  for (const message of messages) {
    text += `${message.role}\u0000${contentText(message.content)}\u0000`;
    if (text.length >= length) return text.slice(0, length);
  }
  return undefined;
}

/**
 * Rendezvous (highest-random-weight) hashing: every deployment gets a score for this prefix and the order is
 * by score. The same prefix always ranks the same deployment first, so its KV cache hits; when that one is
 * out, the next in line takes over, and adding or removing a deployment moves only that deployment's prefixes.
 */
export function rendezvousOrder<T>(items: readonly T[], keyOf: (item: T) => string, prefix: string): T[] {
  const prefixHash = createHash('sha256').update(prefix).digest('hex');
  const scored = items.map((item) => ({ item, score: createHash('sha256').update(prefixHash).update(keyOf(item)).digest().readUInt32BE(0) }));
  scored.sort((a, b) => b.score - a.score);
  return scored.map((entry) => entry.item);
}
