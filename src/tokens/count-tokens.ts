import { createRequire } from 'node:module';
import type { ChatMessage, ContentPart } from '../providers/chat-types.js';

/**
 * Token counts with a real tokenizer (o200k_base, GPT-4o's). Used when a provider reports no usage, so the
 * ledger row is marked `estimated`; other providers' tokenizers differ by a few percent.
 */
// User text may contain "<|endoftext|>" and friends: counted as plain text, never an error.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

type CountTokens = (text: string, options: typeof PLAIN_TEXT) => number;
let tokenizer: CountTokens | undefined;

/**
 * The tokenizer's tables take ~80 MB and a noticeable start-up; a gateway whose providers report usage may
 * never need them, so they load on the first count (synchronously, so callers stay simple).
 */
function loadTokenizer(): CountTokens {
  tokenizer ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: CountTokens }).countTokens;
  return tokenizer;
}

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : loadTokenizer()(text, PLAIN_TEXT);
}

// OpenAI's chat format adds a few tokens per message and for the reply's priming.
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
const TOKENS_PER_IMAGE = 85;

export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  return text;
}

export function countPromptTokens(messages: readonly ChatMessage[], tools?: readonly unknown[]): number {
  let total = REPLY_PRIMING;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + countTextTokens(contentText(message.content));
    if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'image_url') total += TOKENS_PER_IMAGE;
    }
    if (message.name) total += 1 + countTextTokens(message.name);
    if (message.tool_calls) total += countTextTokens(JSON.stringify(message.tool_calls));
  }
  if (tools && tools.length > 0) total += countTextTokens(JSON.stringify(tools));
  return total;
}
