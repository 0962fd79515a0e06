import type { Price } from '../catalog/pricing.js';
import type { ChatMessage, ChatRequest } from '../wire/chat-types.js';
import { estimateWorstCaseNanos } from './budget-guard.js';

/**
 * Upper bounds on what one upstream call can bill, for budget holds and cost ceilings. They must hold whatever
 * the provider's tokenizer: every BPE / SentencePiece token covers at least one byte of UTF-8 text, so a text's
 * byte length bounds its token count under any of them. Our own tokenizer's count does not: another vendor's
 * tokenizer may count more (the probe saw an embeddings hold of "our count + 25 %" exceeded).
 */

// Chat templates wrap each message in role markers; the widest common ones (Llama 3, ChatML) use 4–5 tokens.
const MESSAGE_ALLOWANCE = 8;
const REPLY_ALLOWANCE = 8;
// Vision models bill an image by its size: OpenAI up to ~1 105 tokens at high detail, Anthropic up to ~1 600.
const IMAGE_ALLOWANCE = 2_000;
// Some providers add a hidden system prompt when tools are present (Anthropic: up to ~350 tokens).
const TOOLS_ALLOWANCE = 1_000;
// Embedding models may add special tokens ([CLS], [SEP], BOS/EOS) around each input.
const EMBEDDING_INPUT_ALLOWANCE = 2;
// No real call generates this many tokens; bigger products (n × max_tokens from a hostile client) are clamped
// so the arithmetic stays exact and the hold is simply refused by any hard budget or ceiling.
const TOKEN_CLAMP = 1_000_000_000_000;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Prompt tokens a chat call can be billed for, under any tokenizer. */
export function promptTokenBound(messages: readonly ChatMessage[], tools?: readonly unknown[]): number {
  let bound = REPLY_ALLOWANCE;
  for (const message of messages) {
    bound += MESSAGE_ALLOWANCE;
    const content = message.content as unknown;
    if (typeof content === 'string') bound += utf8Bytes(content);
    else if (Array.isArray(content)) {
      for (const part of content as Array<{ type?: unknown; text?: unknown }>) {
        if (part?.type === 'text' && typeof part.text === 'string') bound += utf8Bytes(part.text);
        else if (part?.type === 'image_url') bound += IMAGE_ALLOWANCE;
        // Audio, files and parts we do not know: their encoded size is larger than any token count of them.
        else bound += utf8Bytes(JSON.stringify(part) ?? '');
      }
    }
    if (typeof message.name === 'string') bound += 1 + utf8Bytes(message.name);
    if (message.tool_calls) bound += utf8Bytes(JSON.stringify(message.tool_calls));
  }
  if (tools && tools.length > 0) bound += TOOLS_ALLOWANCE + utf8Bytes(JSON.stringify(tools));
  return bound;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * Output tokens a chat call can be billed for: every choice (`n`, or `best_of` generated server-side) at its
 * token limit. Reasoning tokens count inside max_completion_tokens (OpenAI) and max_tokens (Anthropic); when
 * both limits are set we cannot know which one the provider applies, so the larger one counts.
 */
export function outputTokenBound(request: Pick<ChatRequest, 'max_tokens' | 'max_completion_tokens' | 'n'> & { best_of?: unknown }, defaultMaxTokens: number): number {
  const limits = [positiveInteger(request.max_tokens), positiveInteger(request.max_completion_tokens)].filter((limit) => limit !== undefined);
  const perChoice = limits.length > 0 ? Math.max(...limits) : defaultMaxTokens;
  const choices = Math.max(1, positiveInteger(request.n) ?? 1, positiveInteger(request.best_of) ?? 1);
  return Math.min(perChoice * choices, TOKEN_CLAMP);
}

/** The most one chat call to a model at `price` can cost, in nano-dollars. */
export function chatWorstCaseNanos(request: ChatRequest, price: Price, defaultMaxTokens: number): number {
  const promptTokens = Math.min(promptTokenBound(request.messages ?? [], request.tools), TOKEN_CLAMP);
  return clampNanos(estimateWorstCaseNanos({ promptTokens, maxOutputTokens: outputTokenBound(request, defaultMaxTokens), price }));
}

/** Tokens an embeddings call can be billed for: UTF-8 bytes of each text, the length of each token array. */
export function embeddingTokenBound(input: unknown): number {
  const inputs = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input : [input];
  let bound = 0;
  for (const item of inputs) {
    bound += EMBEDDING_INPUT_ALLOWANCE;
    if (typeof item === 'string') bound += utf8Bytes(item);
    else if (Array.isArray(item)) bound += item.length;
    else bound += utf8Bytes(JSON.stringify(item) ?? '');
  }
  return Math.min(bound, TOKEN_CLAMP);
}

/** The most an embeddings call can cost, in nano-dollars. */
export function embeddingWorstCaseNanos(input: unknown, price: Price): number {
  return clampNanos(estimateWorstCaseNanos({ promptTokens: embeddingTokenBound(input), maxOutputTokens: 0, price }));
}

function clampNanos(nanos: number): number {
  return Number.isSafeInteger(nanos) ? nanos : Number.MAX_SAFE_INTEGER;
}
