import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ChatMessage } from '../wire/chat-types.js';
import { contentText } from '../tokens/count-tokens.js';

/** Characters up to which a message is tracked by its text rather than by its hash (about a sha1 key's memory, ×4). */
const SHORT_TEXT = 128;

export interface PromptOrderFinding {
  /** Index of the long static message that variable content precedes. */
  staticIndex: number;
  /** About how many tokens of it a provider prompt cache cannot reuse. */
  staticTokens: number;
}

export interface PromptOrderOptions {
  /** A message this long (≈ tokens × 4 characters) counts as a block worth caching. */
  minStaticChars?: number;
  /** Seen this many times before, a message counts as static. */
  seenToBeStatic?: number;
  maxTracked?: number;
}

/**
 * Watches a route's requests for the costly order "variable content first, long static block after": provider
 * prompt caches match prefixes, so anything that changes per request before a long static block (a system prompt,
 * a document, tool docs) makes every request pay full price for it. Static first, variable last.
 */
export function createPromptOrderWatch(options: PromptOrderOptions = {}) {
  const minStaticChars = options.minStaticChars ?? 4096;
  const seenToBeStatic = options.seenToBeStatic ?? 2;
  // Per route: message fingerprint → how many requests carried it.
  const seen = new LRUCache<string, number>({ max: options.maxTracked ?? 50_000 });

  // A short message is its own key (no hashing: most messages are short, and this runs for every one of every
  // request); a long one is kept as a one-shot sha1 so the table stays small.
  const fingerprint = (route: string, role: string, text: string) =>
    text.length <= SHORT_TEXT ? `${route}\u0000${role}\u0000${text}` : `${route}\u0000#${hash('sha1', `${role}\u0000${text}`, 'base64')}`;

  return {
    check(route: string, messages: readonly ChatMessage[]): PromptOrderFinding | undefined {
      let finding: PromptOrderFinding | undefined;
      let variableBefore = false;
      // The last message is the question itself: always variable, and nothing comes after it.
      for (let index = 0; index < messages.length - 1; index += 1) {
        const text = contentText(messages[index].content);
        const key = fingerprint(route, messages[index].role, text);
        const count = seen.get(key) ?? 0;
        seen.set(key, count + 1);
        if (count === 0) variableBefore = true;
        else if (finding === undefined && variableBefore && count >= seenToBeStatic && text.length >= minStaticChars) {
          finding = { staticIndex: index, staticTokens: Math.round(text.length / 4) };
        }
      }
      return finding;
    },
  };
}
